// The verify cache forgets a revocation once its token can no longer pass (exp plus the skew, by the clock of the sync
// that prunes, which also skips such entries when it reads them). A verification judges the token at the time it
// started: when a sync made meanwhile with a later clock reading dropped the token's entry, the cache found nothing
// and a revoked token was answered valid. The entry's absence says nothing then: the token has expired by the clock
// that pruned it, and is refused as expired. Interleaving forced at the key reload the verification waits for; the
// sync is the one the next verification of another token would run.
import assert from 'node:assert/strict';
import { verifyCacheOf } from '../../src/modules/tokens/verify-cache.ts';
import { eachEngine } from '../helpers/storage.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { ADMIN, issue, post, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

eachEngine('a revoked token whose cache entry a concurrent sync pruned is not answered valid', async ({ open }) => {
  const t = await tokenApp(await open());
  try {
    const agent = await registerAgent(t);
    const { token, jti, exp } = await issue(t, agent);
    const other = await issue(t, agent, { expires_in: '1h' });
    assert.equal((await post(t, '/api/registry/revoke', { jti }, ADMIN)).statusCode, 200);
    await rejected(t, { token }, 'TOKEN_REVOKED');

    const skewMs = t.ctx.config.clockSkewSeconds * 1000;
    // The last millisecond the token passes; the keys are due for a reload, which the verification waits for.
    t.clock.set(exp * 1000 + skewMs - 1);
    afterNextPoolQuery(t.ctx.storage.db, /server_keys/, async () => {
      // Meanwhile the clock passes exp + skew, another token is revoked, and the cache syncs (a sync that reads new
      // entries drops those whose token can no longer pass): the token's entry is gone.
      t.clock.set(exp * 1000 + skewMs + 1000);
      assert.equal((await post(t, '/api/registry/revoke', { jti: other.jti }, ADMIN)).statusCode, 200);
      assert.equal(await verifyCacheOf(t.ctx).isRevoked(jti), false, 'pruned: the token can no longer pass');
    });
    const r = await verify(t, { token });
    assert.notEqual(r.status, 500, JSON.stringify(r.body));
    assert.notEqual(r.status, 200, `a revoked token was answered valid: ${JSON.stringify(r.body)}`);
    assert.equal(r.status, 401);
    assert.equal(r.body.code, 'JWT_EXPIRED', JSON.stringify(r.body));
  } finally {
    await t.app.close();
  }
});

eachEngine(
  'a sync at exactly exp + skew prunes the entry, and the verification under way refuses the token as expired',
  async ({ open }) => {
    const t = await tokenApp(await open());
    try {
      const agent = await registerAgent(t);
      const { token, jti, exp } = await issue(t, agent);
      const other = await issue(t, agent, { expires_in: '1h' });
      assert.equal((await post(t, '/api/registry/revoke', { jti }, ADMIN)).statusCode, 200);
      const skewMs = t.ctx.config.clockSkewSeconds * 1000;
      t.clock.set(exp * 1000 + skewMs - 1);
      afterNextPoolQuery(t.ctx.storage.db, /server_keys/, async () => {
        // The first millisecond the token no longer passes: the sync's cut-off (now - skew) is the token's exp
        // itself, so the entry is skipped and dropped, and the token's exp is the cut-off, not before it.
        t.clock.set(exp * 1000 + skewMs);
        assert.equal((await post(t, '/api/registry/revoke', { jti: other.jti }, ADMIN)).statusCode, 200);
        assert.equal(await verifyCacheOf(t.ctx).isRevoked(jti), false, 'pruned: the token can no longer pass');
      });
      const r = await verify(t, { token });
      assert.notEqual(r.status, 200, `a revoked token was answered valid: ${JSON.stringify(r.body)}`);
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'JWT_EXPIRED', JSON.stringify(r.body));
    } finally {
      await t.app.close();
    }
  },
);
