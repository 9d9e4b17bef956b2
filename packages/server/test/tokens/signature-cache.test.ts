// A token presented again skips its signature check on the server (signature-cache.ts; kept from its second good
// presentation), and nothing else: every
// refusal that depends on time, revocation, the agent or the session nonce still happens on a remembered token. The
// counts come from the app's own /metrics.
import assert from 'node:assert/strict';
import { encodeBase64url } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { signatureCacheMetrics } from '../helpers/metrics.ts';
import type { TestApp } from '../helpers/app.ts';
import { ADMIN, issue, post, registerAgent, rejected, revokeAgent, tokenApp, verify } from './helpers.ts';

function cacheMetrics(t: TestApp): Promise<{ hit: number; miss: number; entries: number }> {
  return signatureCacheMetrics(t, 'vouch_token_signature_cache');
}

eachEngine('a token verified again is answered without its signature check, and counted', async ({ open }) => {
  const t = await tokenApp(await open());
  assert.deepEqual(await cacheMetrics(t), { hit: 0, miss: 0, entries: 0 });
  const agent = await registerAgent(t);
  const { token } = await issue(t, agent);
  const first = await verify(t, { token });
  assert.equal(first.status, 200);
  assert.deepEqual(await cacheMetrics(t), { hit: 0, miss: 1, entries: 0 });
  for (let i = 0; i < 3; i++) assert.deepEqual(await verify(t, { token }), first);
  assert.deepEqual(await cacheMetrics(t), { hit: 2, miss: 2, entries: 1 });

  // The same header and claims under another signature are checked, and refused.
  const dot = token.lastIndexOf('.');
  await rejected(
    t,
    { token: `${token.slice(0, dot)}.${encodeBase64url(new Uint8Array(64).fill(1))}` },
    'JWT_SIGNATURE_INVALID',
  );
  assert.deepEqual(await cacheMetrics(t), { hit: 2, miss: 3, entries: 1 });
  await t.app.close();
});

eachEngine(
  'a remembered token is still refused once revoked, expired, replayed or its agent revoked',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const a = await issue(t, agent);
    const b = await issue(t, agent);
    const session = await issue(t, agent, { token_type: 'session', audience: 'shop.example', nonce: 'n-1' });
    for (const x of [a, a, b, b, session, session]) assert.equal((await verify(t, { token: x.token })).status, 200);

    // Revoked by jti: the next presentation (a cache hit) is refused.
    const revoke = await post(t, '/api/registry/revoke', { jti: a.jti, reason: 'leaked' }, ADMIN);
    assert.equal(revoke.statusCode, 200, revoke.body);
    await rejected(t, { token: a.token }, 'TOKEN_REVOKED');
    // The audience consumes the session nonce once, remembered signature or not.
    assert.equal((await verify(t, { token: session.token }, ADMIN)).status, 200);
    await rejected(t, { token: session.token }, 'NONCE_REPLAYED', ADMIN);
    await rejected(t, { token: session.token, audience: 'elsewhere' }, 'JWT_AUDIENCE_MISMATCH');
    // Expired, with the clock pinned past the skew, and back.
    const past = b.exp * 1000 + 61_000 - t.clock.now();
    t.clock.advance(past);
    await rejected(t, { token: b.token }, 'JWT_EXPIRED');
    t.clock.advance(-past);
    assert.equal((await verify(t, { token: b.token })).status, 200);
    // The agent revoked: its tokens are refused.
    await revokeAgent(t, agent.did);
    await rejected(t, { token: b.token }, 'TOKEN_REVOKED');

    // Each token had its signature checked twice (then kept); every later presentation was a hit.
    assert.deepEqual(await cacheMetrics(t), { hit: 7, miss: 6, entries: 3 });
    await t.app.close();
  },
);
