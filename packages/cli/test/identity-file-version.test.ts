// An identity file's `version` was never read: a file of another version (a later vouch's, or hand-edited) was used as
// if this CLI had written it, its members taken to mean what they mean in version 1. A file whose version is not 1,
// the one this CLI writes, is now refused, exit 2, naming the file, as a damaged identity file is; it is not listed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../src/exit.ts';
import { readIdentity } from '../src/identity-store.ts';
import { runClean, tempDir, writeStoredIdentity } from './helpers.ts';

test('an identity file whose version is not 1 is refused, naming the file', async (t) => {
  const home = await tempDir(t);
  await writeStoredIdentity(home, 'http://127.0.0.1:9');
  const file = join(home, 'identities', 'bot.json');
  const good = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const cases: Array<[unknown, string]> = [
    [2, 'version 2'],
    [0, 'version 0'],
    ['1', 'a version that is not a number'],
    [null, 'a version that is not a number'],
    [undefined, 'no version'],
  ];
  for (const [version, found] of cases) {
    await writeFile(file, JSON.stringify({ ...good, version }), { mode: 0o600 });
    const why = `${file} is not a vouch identity this vouch reads (${found}; it reads version 1).`;
    await assert.rejects(readIdentity('bot', { VOUCH_HOME: home }), (err: unknown) => {
      assert.ok(err instanceof CliError, String(err));
      assert.equal(err.exitCode, 2);
      assert.equal(err.message, why);
      return true;
    });
    const who = await runClean({ VOUCH_HOME: home }, 'agent', 'whoami', '--alias', 'bot');
    assert.equal(who.code, 2, `${String(version)}: ${who.out}`);
    assert.equal(who.err, `vouch: ${why}\n`);
    const list = await runClean({ VOUCH_HOME: home }, 'agent', 'list', '--json');
    assert.equal(list.code, 0, list.err);
    assert.deepEqual(JSON.parse(list.out), { identities: [] }, `${String(version)}: not listed`);
  }
  await writeFile(file, JSON.stringify(good), { mode: 0o600 });
  assert.equal((await readIdentity('bot', { VOUCH_HOME: home })).did, 'did:identity:bot');
});
