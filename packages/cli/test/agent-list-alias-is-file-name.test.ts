// An identity is found by its file's name (`<alias>.json`): `vouch agent list` and `whoami` name it so. Before, they
// showed the `alias` member inside the file, which a copied or hand-edited file need not match: a copy of bot.json
// as bot2.json listed "bot" twice, and made the default (`agent use bot2`) marked neither row, so `--alias` got a
// name that acts as another file's identity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runClean, tempDir, writeStoredIdentity } from './helpers.ts';

test('agent list and whoami name an identity by its file', async (t) => {
  const home = await tempDir(t);
  await writeStoredIdentity(home, 'http://127.0.0.1:9');
  await copyFile(join(home, 'identities', 'bot.json'), join(home, 'identities', 'bot2.json'));
  const env = { HOME: home, VOUCH_HOME: home };
  assert.equal((await runClean(env, 'agent', 'use', 'bot2')).code, 0);

  const list = await runClean(env, 'agent', 'list');
  assert.equal(list.code, 0, list.err);
  assert.deepEqual(
    list.out.split('\n').map((l) => l.split(/ +did:/)[0]),
    ['  bot', '* bot2', ''],
    list.out,
  );
  const asJson = await runClean(env, 'agent', 'list', '--json');
  const rows = (JSON.parse(asJson.out) as { identities: { alias: string; default: boolean }[] }).identities;
  assert.deepEqual(
    rows.map((r) => [r.alias, r.default]),
    [
      ['bot', false],
      ['bot2', true],
    ],
  );

  const whoami = await runClean(env, 'agent', 'whoami', '--json');
  assert.equal(whoami.code, 0, whoami.err);
  assert.equal((JSON.parse(whoami.out) as { alias: string }).alias, 'bot2');
});
