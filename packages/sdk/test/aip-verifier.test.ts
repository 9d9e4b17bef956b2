// The offline verifier against a real, listening Vouch server on 127.0.0.1: same verdicts as the server's own
// /api/registry/verify, key rotation, and the revocation list kept in sync through its cursor and ETag.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AIP_TYP, createAipVerifier, encodeBase64url } from '../src/index.ts';
import type { AipCheckResult, FetchLike } from '../src/index.ts';
import { startLiveServer, T0 } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

let live: LiveServer;
before(async () => {
  live = await startLiveServer();
});
after(async () => {
  await live?.close();
});

function verdict(r: AipCheckResult): string {
  return r.valid ? 'valid' : r.code;
}

/** A fetch that records each request's path and answer status. */
function recordingFetch(): { fetch: FetchLike; log: Array<{ path: string; status: number }> } {
  const log: Array<{ path: string; status: number }> = [];
  return {
    log,
    fetch: async (url, init) => {
      const res = await fetch(url, init);
      const u = new URL(url);
      log.push({ path: `${u.pathname}${u.search}`, status: res.status });
      return res;
    },
  };
}

test('the offline verifier reaches the same verdicts as the server', async () => {
  const agent = await live.registerAgent();
  const verifier = createAipVerifier({ issuer: live.url, now: () => live.clock.now() });
  const identity = await live.issue(agent.did);
  const session = await live.issue(agent.did, { token_type: 'session', audience: 'shop.example', nonce: 'n-7' });
  const revoked = await live.issue(agent.did);
  assert.equal((await live.call('POST', '/api/registry/revoke', { jti: revoked.jti }, true)).status, 200);
  const [h, p, s] = identity.token.split('.') as [string, string, string];
  const none = `${encodeBase64url(JSON.stringify({ alg: 'none', typ: AIP_TYP.identity }))}.${p}.${s}`;
  const badKid = `${encodeBase64url(JSON.stringify({ alg: 'ES256', kid: '../x', typ: AIP_TYP.identity }))}.${p}.${s}`;

  const cases: Array<[string, { token: string; audience?: string; nonce?: string }, string]> = [
    ['identity', { token: identity.token }, 'valid'],
    ['session for its audience', { token: session.token, audience: 'shop.example', nonce: 'n-7' }, 'valid'],
    [
      'identity where a session is required',
      { token: identity.token, audience: 'shop.example' },
      'TOKEN_TYPE_MISMATCH',
    ],
    ['wrong audience', { token: session.token, audience: 'bank.example' }, 'JWT_AUDIENCE_MISMATCH'],
    ['wrong nonce', { token: session.token, nonce: 'n-8' }, 'JWT_NONCE_MISMATCH'],
    ['revoked', { token: revoked.token }, 'TOKEN_REVOKED'],
    ['alg none', { token: none }, 'JWT_ALG_NOT_ALLOWED'],
    ['kid with path characters', { token: badKid }, 'JWT_KID_UNKNOWN'],
    ['psychic signature', { token: `${h}.${p}.${encodeBase64url(new Uint8Array(64))}` }, 'JWT_SIGNATURE_INVALID'],
    ['padded base64url', { token: `${identity.token}=` }, 'JWT_MALFORMED'],
    ['oversize', { token: `${h}.${'A'.repeat(9000)}.${s}` }, 'JWT_TOO_LARGE'],
  ];
  for (const [name, { token, ...opts }, expected] of cases) {
    const server = await live.call('POST', '/api/registry/verify', { token, ...opts });
    const serverVerdict = server.body.valid === true ? 'valid' : server.body.code;
    const offline = verdict(await verifier.check(token, opts));
    assert.equal(serverVerdict, expected, `server: ${name}`);
    assert.equal(offline, expected, `offline: ${name}`);
    if (expected === 'valid')
      assert.deepEqual(((await verifier.check(token, opts)) as { claims: unknown }).claims, server.body.claims);
  }
  // Expiry, on the same clock.
  live.clock.advance(24 * 3600_000 + 60_000);
  assert.equal(verdict(await verifier.check(identity.token)), 'JWT_EXPIRED');
  assert.equal((await live.call('POST', '/api/registry/verify', { token: identity.token })).body.code, 'JWT_EXPIRED');
  live.clock.set(T0);
});

test('rotation: the verifier fetches the new key once for its unknown kid and keeps the retired one', async () => {
  const agent = await live.registerAgent();
  const { fetch, log } = recordingFetch();
  const verifier = createAipVerifier({ issuer: live.url, fetch, now: () => live.clock.now() });
  const old = await live.issue(agent.did);
  assert.equal(verdict(await verifier.check(old.token)), 'valid');

  const rotated = await live.call('POST', '/api/v1/admin/keys/rotate', {}, true);
  assert.equal(rotated.status, 201);
  const fresh = await live.issue(agent.did);
  live.clock.advance(30_000);
  assert.equal(verdict(await verifier.check(fresh.token)), 'valid');
  assert.equal(verdict(await verifier.check(old.token)), 'valid', 'the retired key still verifies its tokens');
  assert.equal(log.filter((l) => l.path === '/.well-known/jwks.json').length, 2, 'one refetch for the new kid');
  live.clock.set(T0);
});

test('revocations reach the verifier through the cursor; an unchanged list costs a 304', async () => {
  const agent = await live.registerAgent();
  const { fetch, log } = recordingFetch();
  const verifier = createAipVerifier({ issuer: live.url, fetch, now: () => live.clock.now() });
  const tokens = [];
  for (let i = 0; i < 6; i++) tokens.push(await live.issue(agent.did));
  await verifier.syncRevocations();
  const startCursor = log.at(-1)!;
  for (const t of tokens.slice(0, 3)) await live.call('POST', '/api/registry/revoke', { jti: t.jti }, true);
  await verifier.syncRevocations();
  for (const t of tokens.slice(0, 3)) assert.ok(verifier.isRevoked(t.jti));
  assert.ok(!verifier.isRevoked(tokens[3]!.jti));
  await verifier.syncRevocations(); // from the new cursor: an empty page, with its own ETag
  await verifier.syncRevocations();
  assert.equal(log.at(-1)!.status, 304, 'nothing new: 304');
  assert.match(log.at(-1)!.path, /since=\d+/);
  assert.notEqual(log.at(-1)!.path, startCursor.path);
  // The verifier syncs by itself once its copy is older than 30 s.
  await live.call('POST', '/api/registry/revoke', { jti: tokens[4]!.jti }, true);
  assert.equal(verdict(await verifier.check(tokens[4]!.token)), 'valid', 'a fresh copy is trusted for 30 s');
  live.clock.advance(30_000);
  assert.equal(verdict(await verifier.check(tokens[4]!.token)), 'TOKEN_REVOKED');
  // Revoking the agent revokes its remaining tokens: the offline verifier learns it from the same list.
  assert.equal((await live.call('POST', `/api/v1/agents/${agent.did}/revoke`, { reason: 'gone' }, true)).status, 200);
  await verifier.syncRevocations();
  assert.equal(verdict(await verifier.check(tokens[5]!.token)), 'TOKEN_REVOKED');
  live.clock.set(T0);
});
