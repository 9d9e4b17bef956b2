// Gaps found by mutation testing in the verify cache (verify-cache.ts): a token still passes the time checks until
// exp + VOUCH_CLOCK_SKEW, so the cache must hold the revocation of a token that expired within the skew, whether the
// revocation came after the expiry or the process read the list only then.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, issue, post, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

eachEngine(
  'a token revoked just after its exp is refused TOKEN_REVOKED while the skew still lets it pass',
  async ({ open }) => {
    const storage = await open();
    const t = await tokenApp(storage);
    const agent = await registerAgent(t);
    const late = await issue(t, agent, { expires_in: '1h' });
    const early = await issue(t, agent, { expires_in: '1h' });
    const control = await issue(t, agent, { expires_in: '1h' });
    assert.equal((await post(t, '/api/registry/revoke', { jti: early.jti }, ADMIN)).statusCode, 200);

    // 10 s past exp: within the 60 s skew, every time check still passes.
    t.clock.set(late.exp * 1000 + 10_000);
    assert.equal((await verify(t, { token: control.token })).status, 200, 'within the skew');
    assert.equal((await post(t, '/api/registry/revoke', { jti: late.jti }, ADMIN)).statusCode, 200);
    await rejected(t, { token: late.token }, 'TOKEN_REVOKED');
    await rejected(t, { token: early.token }, 'TOKEN_REVOKED');

    // A process that first reads the revocation list now (a restart, another server) refuses both as well.
    t.clock.advance(20_000);
    const fresh = await tokenApp(await open(), { clock: t.clock, kek: t.kek });
    await rejected(fresh, { token: late.token }, 'TOKEN_REVOKED');
    await rejected(fresh, { token: early.token }, 'TOKEN_REVOKED');
    assert.equal((await verify(fresh, { token: control.token })).status, 200);
    await fresh.app.close();
    await t.app.close();
  },
);
