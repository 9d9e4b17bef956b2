// A capability token intercepted again skips its signature check (signature-cache.ts; kept from its second good
// presentation), and nothing else: revocation, expiry, the issuer's removal and its key rotation still deny a
// remembered token. The counts come from the app's own /metrics.
import assert from 'node:assert/strict';
import { encodeBase64url } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { signatureCacheMetrics } from '../helpers/metrics.ts';
import { makeApp, type TestApp } from '../helpers/app.ts';
import { admin, post } from '../registry/fixtures.ts';
import { boundToken, genesis, intercept, removeIssuer, rotateIssuerKey } from './helpers.ts';

function cacheMetrics(t: TestApp): Promise<{ hit: number; miss: number; entries: number }> {
  return signatureCacheMetrics(t, 'vouch_capability_signature_cache');
}

eachEngine('a capability token intercepted again skips its signature check, and is counted', async ({ open }) => {
  const t = await makeApp(await open());
  try {
    assert.deepEqual(await cacheMetrics(t), { hit: 0, miss: 0, entries: 0 });
    const reg = await genesis(t);
    const { token } = await boundToken(t, reg.issuers.acme!, 'agent:x');
    // Issuing checked the agent credential's signature once.
    assert.deepEqual(await cacheMetrics(t), { hit: 0, miss: 1, entries: 0 });
    for (let i = 0; i < 4; i++) assert.deepEqual(await intercept(t.app, token, 'agent:x'), { decision: 'allow' });
    assert.deepEqual(await cacheMetrics(t), { hit: 2, miss: 3, entries: 1 });
    // A remembered token is answered only for its own request.
    assert.equal((await intercept(t.app, token, 'agent:y')).code, 'SUBJECT_MISMATCH');
    assert.equal((await intercept(t.app, token, 'agent:x', 'mail:inbox')).code, 'RESOURCE_MISMATCH');
    assert.equal((await intercept(t.app, token, 'agent:x', 'payments:invoices', 'write')).code, 'ACTION_MISMATCH');
    // The same header and claims under another signature are checked, and denied.
    const dot = token.lastIndexOf('.');
    const forged = `${token.slice(0, dot)}.${encodeBase64url(new Uint8Array(64).fill(1))}`;
    for (let i = 0; i < 3; i++) assert.equal((await intercept(t.app, forged, 'agent:x')).code, 'INVALID_SIGNATURE');
    assert.deepEqual(await cacheMetrics(t), { hit: 5, miss: 6, entries: 1 });
  } finally {
    await t.app.close();
  }
});

eachEngine(
  'a remembered capability token is still denied once revoked, its issuer removed or rotated, or expired',
  async ({ open }) => {
    const t = await makeApp(await open());
    try {
      const reg = await genesis(t);
      const revoked = await boundToken(t, reg.issuers.acme!, 'agent:a');
      const removed = await boundToken(t, reg.issuers.acme!, 'agent:b');
      const rotated = await boundToken(t, reg.issuers.bolt!, 'agent:c');
      const expiring = await boundToken(t, reg.issuers.coda!, 'agent:d');
      const all: Array<[{ token: string }, string]> = [
        [revoked, 'agent:a'],
        [removed, 'agent:b'],
        [rotated, 'agent:c'],
        [expiring, 'agent:d'],
      ];
      for (const [x, agent] of all) {
        for (let i = 0; i < 3; i++) assert.deepEqual(await intercept(t.app, x.token, agent), { decision: 'allow' });
      }
      const before = await cacheMetrics(t);
      assert.equal(before.entries, 4);

      const res = await post(t.app, '/v1/tokens/revoke', { tokenId: revoked.tokenId }, admin(t.adminKey));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal((await intercept(t.app, revoked.token, 'agent:a')).code, 'TOKEN_REVOKED');

      await rotateIssuerKey(t, reg, 'bolt', ['acme', 'coda', 'dyad']);
      assert.equal((await intercept(t.app, rotated.token, 'agent:c')).code, 'ISSUER_KEY_ROTATED');

      await removeIssuer(t, reg, 'acme', ['bolt', 'coda', 'dyad']);
      assert.equal((await intercept(t.app, removed.token, 'agent:b')).code, 'ISSUER_REVOKED');

      assert.deepEqual(await intercept(t.app, expiring.token, 'agent:d'), { decision: 'allow' });
      t.clock.advance(601_000);
      assert.equal((await intercept(t.app, expiring.token, 'agent:d')).code, 'TOKEN_EXPIRED');

      // Every one of those answers came from the cache: the refusals are the other checks', not the signature's.
      const after = await cacheMetrics(t);
      assert.deepEqual({ hit: after.hit - before.hit, miss: after.miss - before.miss }, { hit: 5, miss: 0 });
    } finally {
      await t.app.close();
    }
  },
);
