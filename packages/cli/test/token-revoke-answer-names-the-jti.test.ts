// `vouch token revoke` says "revoked JTI" (exit 0) only of the token it was asked to revoke: the answer's jti must be
// the one given with --jti, or the one a --token carries. Before, an answer naming any other jti (a proxy's cached
// answer, a broken server's) printed "revoked <other>" and exited 0, so the token asked for read as revoked when
// nothing said it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordingServer, runClean } from './helpers.ts';

const ADMIN = 'vouch_admin_SECRET_DO_NOT_LEAK_1234567890';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const TOKEN = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({ jti: 't1', sub: 'did:key:z6Mk' })}.c2ln`;

test('token revoke refuses an answer that names another jti than the one asked for', async (t) => {
  const env = { VOUCH_ADMIN_KEY: ADMIN };
  for (const [args, asked] of [
    [['--jti', 'j1'], 'j1'],
    [['--token', TOKEN], 't1'],
  ] as const) {
    const server = await recordingServer(t, (res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ revoked: true, jti: 'other' })),
    );
    for (const form of [[], ['--json']]) {
      const r = await runClean(env, 'token', 'revoke', ...args, ...form, '--server', server.url);
      const what = `${args[0]} ${form.join(' ')}`;
      assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
      assert.equal(r.out, '', what);
      assert.match(r.err, new RegExp(`answer does not say ${asked} is revoked`), what);
    }
    const good = await recordingServer(t, (res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ revoked: true, jti: asked })),
    );
    const r = await runClean(env, 'token', 'revoke', ...args, '--server', good.url);
    assert.deepEqual([r.code, r.out], [0, `revoked ${asked}\n`], r.err);
  }
});
