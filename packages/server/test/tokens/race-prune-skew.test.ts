// Housekeeping in one process while another, whose clock lags by less than VOUCH_CLOCK_SKEW (as docs/operations.md
// allows), still verifies: a token passes until exp + skew by the verifying process's own clock, so what refuses it
// (its revocation, its consumed session nonce) must outlive that in every process's time. Pruned at exp + skew by
// the faster clock, a consumed nonce is accepted a second time and a revoked token verifies at the slower process.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { ManualClock } from '../../src/clock.ts';
import { pruneTokenState } from '../../src/modules/tokens/service.ts';
import { ADMIN, issue, post, registerAgent, rejected, T0, tokenApp, verify } from './helpers.ts';

const LAG_MS = 50_000; // B's clock is 50 s behind A's: within the 60 s skew

eachEngine(
  'housekeeping at a process ahead by less than the skew keeps what a slower process still needs',
  async ({ open }) => {
    const a = await tokenApp(await open());
    const agent = await registerAgent(a);
    const session = await issue(a, agent, { token_type: 'session', audience: 'shop', nonce: 'n-1' });
    const revoked = await issue(a, agent, { expires_in: '1h' });
    assert.equal(session.exp, revoked.exp);
    assert.equal((await verify(a, { token: session.token }, ADMIN)).status, 200); // consumes the nonce
    assert.equal((await post(a, '/api/registry/revoke', { jti: revoked.jti }, ADMIN)).statusCode, 200);

    // A, ahead, runs its housekeeping when the tokens have just stopped passing by its own clock (exp + skew).
    a.clock.set(session.exp * 1000 + 60_000);
    await pruneTokenState(a.ctx);

    // B lags by 50 s: by its clock the tokens expired 10 s ago, within the skew, so they still pass its time checks.
    const b = await tokenApp(await open(), { clock: new ManualClock(a.clock.now() - LAG_MS), kek: a.kek });
    assert.ok(b.clock.now() > T0);
    await rejected(b, { token: session.token }, 'NONCE_REPLAYED', ADMIN);
    await rejected(b, { token: revoked.token }, 'TOKEN_REVOKED');
    await a.app.close();
    await b.app.close();
  },
);
