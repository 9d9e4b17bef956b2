// A token passes for VOUCH_CLOCK_SKEW past its exp, so the verify cache (verify-cache.ts #sync) must keep a
// revocation until its token is past exp plus the skew: a sync that dropped it at exp would leave a revoked token
// passing as valid for the whole skew (the cache's `prunedThrough` mark, now - skew, does not cover it).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, issue, post, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

eachEngine('a revoked token within the skew past its exp is refused as revoked, not valid', async ({ open }) => {
  const t = await tokenApp(await open());
  try {
    const agent = await registerAgent(t);
    const revoked = await issue(t, agent, { expires_in: '1h' });
    const kept = await issue(t, agent, { expires_in: '1h' });
    assert.equal((await post(t, '/api/registry/revoke', { jti: revoked.jti }, ADMIN)).statusCode, 200);
    // 30 s past both tokens' exp, within the default 60 s skew: the first sync of the cache happens now.
    t.clock.set(revoked.exp * 1000 + 30_000);
    assert.equal((await verify(t, { token: kept.token })).status, 200, 'an unrevoked token still passes');
    await rejected(t, { token: revoked.token }, 'TOKEN_REVOKED');
  } finally {
    await t.app.close();
  }
});

eachEngine('a sync that reads a new revocation keeps those of tokens within the skew past exp', async ({ open }) => {
  const t = await tokenApp(await open());
  try {
    const agent = await registerAgent(t);
    const revoked = await issue(t, agent, { expires_in: '1h' });
    const later = await issue(t, agent, { expires_in: '6h' });
    assert.equal((await post(t, '/api/registry/revoke', { jti: revoked.jti }, ADMIN)).statusCode, 200);
    await rejected(t, { token: revoked.token }, 'TOKEN_REVOKED');
    // Within the skew past the first token's exp, another revocation moves the cursor: that sync drops the entries
    // of tokens that can no longer pass, and the first one still can.
    t.clock.set(revoked.exp * 1000 + 30_000);
    assert.equal((await post(t, '/api/registry/revoke', { jti: later.jti }, ADMIN)).statusCode, 200);
    await rejected(t, { token: later.token }, 'TOKEN_REVOKED');
    await rejected(t, { token: revoked.token }, 'TOKEN_REVOKED');
  } finally {
    await t.app.close();
  }
});
