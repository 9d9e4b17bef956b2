// `vouch token issue --key FILE` issues with the agent's own proof and sends no API key. Given an admin or owner key
// as an option too (`--admin-key-file`, `--owner-key`, ...), the command named two callers: before, the key was read
// (and checked) and then silently dropped, so the token came from another caller than the one named. It is now a
// usage error, exit 2, before anything is sent; a key in the environment is ambient and stays ignored by --key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { answerJson, recordingServer, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

test('token issue --key with an admin or owner key option is refused before sending (exit 2)', async (t) => {
  const dir = await tempDir(t);
  const vouchHome = join(dir, 'home');
  await writeStoredIdentity(vouchHome, 'http://127.0.0.1:9');
  const keyFile = join(vouchHome, 'identities', 'bot.json');
  const apiKeyFile = join(dir, 'api.key');
  await writeFile(apiKeyFile, 'vouch_SECRET_KEY_0123456789\n', { mode: 0o600 });
  const server = await recordingServer(t, (res) => answerJson(res, 201, { token: 'e.y.J' }));
  const issue = ['token', 'issue', 'did:identity:bot', '--key', keyFile, '--server', server.url];
  for (const given of [
    ['--admin-key-file', apiKeyFile],
    ['--owner-key-file', apiKeyFile],
    ['--admin-key', 'vouch_SECRET_KEY_0123456789'],
    ['--owner-key', 'vouch_SECRET_KEY_0123456789'],
  ]) {
    const r = await runClean({ HOME: dir }, ...issue, ...given);
    assert.equal(r.code, 2, `${given[0]}: ${r.out}${r.err}`);
    assert.equal(r.out, '', given[0]);
    assert.match(r.err, /vouch: give --key or an admin or owner key, not both\.\n$/, given[0]);
    assert.ok(!r.err.includes('SECRET'), 'the key is not printed');
    assert.equal(server.seen.length, 0, `${given[0]}: nothing sent`);
  }
  // A key in the environment is not named by the command: --key issues with the proof alone, sending no API key.
  const r = await runClean({ HOME: dir, VOUCH_ADMIN_KEY: 'vouch_SECRET_KEY_0123456789' }, ...issue);
  assert.deepEqual([r.code, r.out], [0, 'e.y.J\n'], r.err);
  assert.equal(server.seen.length, 1);
  assert.equal(server.seen[0]!.headers['x-api-key'], undefined);
  assert.match(server.seen[0]!.body, /"proof":/);
});
