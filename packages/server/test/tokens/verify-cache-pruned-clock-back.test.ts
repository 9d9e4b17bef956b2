// The verify cache drops the revocations of tokens expired beyond the skew by its sync's clock, and verifyToken refuses
// any token expired by the latest such clock (`prunedThrough`, verify-cache.ts). That mark must never move back: after
// the app clock stepped back, a revoked token whose entry was dropped passes the time checks again, and only the mark
// stands between it and a 200.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, issue, post, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

const SKEW_MS = 60_000;

eachEngine(
  'a revoked token whose cache entry was dropped stays refused after the app clock stepped back',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const revoked = await issue(t, agent, { expires_in: '1h' });
    const control = await issue(t, agent, { expires_in: '24h' });
    assert.equal((await post(t, '/api/registry/revoke', { jti: revoked.jti }, ADMIN)).statusCode, 200);
    await rejected(t, { token: revoked.token }, 'TOKEN_REVOKED');

    // Past exp + skew, another revocation moves the cache's cursor: its sync drops the expired token's entry.
    t.clock.set(revoked.exp * 1000 + SKEW_MS + 1000);
    const other = await issue(t, agent);
    assert.equal((await post(t, '/api/registry/revoke', { jti: other.jti }, ADMIN)).statusCode, 200);
    assert.equal((await verify(t, { token: control.token })).status, 200);

    // The clock steps back to before the token's exp: its time checks pass again, its entry is gone from the cache.
    t.clock.set(revoked.exp * 1000 - 10_000);
    await rejected(t, { token: revoked.token }, 'JWT_EXPIRED');
    assert.equal((await verify(t, { token: control.token })).status, 200);
    await t.app.close();
  },
);
