// `vouch token verify --offline` verifies with the server's keys and revocation list, fetched first. When they cannot
// be had (the server is down, or answers no key set), nothing was verified: that is exit 2, "cannot verify offline",
// never exit 1 ("invalid"), which a script would take for a verdict on the token. No test held that rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordingServer, runClean } from './helpers.ts';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

test('token verify --offline without the server keys is exit 2, not a verdict', async (t) => {
  const server = await recordingServer(t, (res) =>
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down","code":"UNAVAILABLE"}'),
  );
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: server.url, sub: 'did:key:z6Mk', jti: 'j1', iat: now, exp: now + 600 };
  const token = `${b64({ alg: 'ES256', typ: 'JWT', kid: 'k1' })}.${b64(claims)}.c2ln`;
  for (const form of [[], ['--json']]) {
    const r = await runClean({}, 'token', 'verify', token, '--offline', ...form, '--server', server.url);
    assert.equal(r.code, 2, `${form.join(' ')}: ${r.out}${r.err}`);
    assert.equal(r.out, '');
    assert.match(r.err, /^vouch: cannot verify offline: /);
  }
  assert.ok(server.seen.length > 0, 'the keys were asked for');
});
