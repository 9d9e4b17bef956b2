// `vouch token verify` sends the admin key only with --consume-nonce (presenting the token as its audience). Given
// `--admin-key-file` or `--admin-key` without it, the key was read and silently not sent: the verdict came from an
// anonymous check, which consumes no nonce, while the operator who named the key took the nonce for consumed (a
// replay would then pass). It is now a usage error, exit 2, before anything is sent; $VOUCH_ADMIN_KEY is ambient
// and stays unused without --consume-nonce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { answerJson, recordingServer, runClean, tempDir } from './helpers.ts';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const TOKEN = `${b64({ alg: 'ES256', typ: 'agent-session+jwt', kid: 'k1' })}.${b64({ sub: 'did:identity:x' })}.c2ln`;
const CLAIMS = { sub: 'did:identity:x', jti: 'j1', exp: 2_000_000_000, aud: 'shop.example' };

test('token verify with an admin key option but no --consume-nonce is refused before sending (exit 2)', async (t) => {
  const dir = await tempDir(t);
  const keyFile = join(dir, 'admin.key');
  await writeFile(keyFile, 'vouch_admin_SECRET_0123456789\n', { mode: 0o600 });
  const server = await recordingServer(t, (res) => answerJson(res, 200, { valid: true, claims: CLAIMS }));
  const verify = ['token', 'verify', TOKEN, '--audience', 'shop.example', '--server', server.url];
  for (const given of [
    ['--admin-key-file', keyFile],
    ['--admin-key', 'vouch_admin_SECRET_0123456789'],
  ]) {
    for (const mode of [[], ['--offline']]) {
      const what = `${given[0]} ${mode.join(' ')}`;
      const r = await runClean({}, ...verify, ...given, ...mode);
      assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
      assert.equal(r.out, '', what);
      assert.match(r.err, /vouch: --admin-key and --admin-key-file are sent only with --consume-nonce\.\n$/, what);
      assert.ok(!r.err.includes('SECRET'), 'the key is not printed');
      assert.equal(server.seen.length, 0, `${what}: nothing sent`);
    }
  }
  // The environment's key is not named by the command: an anonymous check, as before.
  const r = await runClean({ VOUCH_ADMIN_KEY: 'vouch_admin_SECRET_0123456789' }, ...verify);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^valid agent token of did:identity:x for shop\.example/);
  assert.deepEqual(
    server.seen.map((s) => [s.url, s.headers['x-api-key']]),
    [['/api/registry/verify', undefined]],
  );
});
