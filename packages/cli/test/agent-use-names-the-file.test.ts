// `vouch agent use <alias>` makes the identity the user named the default: the alias is taken from the argument (the
// file it loaded), not from the alias recorded inside the file, which a copy or a hand edit leaves naming another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { json, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

test('agent use bot2 makes bot2 the default even when its file says "bot" inside', async (t) => {
  const home = await tempDir(t);
  await writeStoredIdentity(home, 'http://127.0.0.1:9');
  // A copy of bot.json under another alias: its inner alias is still "bot".
  await copyFile(join(home, 'identities', 'bot.json'), join(home, 'identities', 'bot2.json'));

  const r = await runClean({ VOUCH_HOME: home }, 'agent', 'use', 'bot2', '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as { default: string }).default, 'bot2');
  assert.equal((await json<{ defaultAlias: string }>(join(home, 'config.json'))).defaultAlias, 'bot2');
});
