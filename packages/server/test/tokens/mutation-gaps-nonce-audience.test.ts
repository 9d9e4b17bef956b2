// Gap found by mutation testing in verifyToken's nonce consumption (service.ts speaksForAudience): only the session
// token's own audience consumes its nonce. An integrator verifying a token meant for another integrator must get
// verdicts without burning that nonce, or it could make the real audience's first presentation NONCE_REPLAYED.
// Mutation caught: `principal.caller === 'integrator' && principal.id === audience` reduced to the caller check.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { verifyToken } from '../../src/modules/tokens/service.ts';
import { issue, registerAgent, tokenApp } from './helpers.ts';

eachEngine('an integrator that is not the token audience never consumes its session nonce', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const { token } = await issue(t, agent, { token_type: 'session', audience: 'shop', nonce: 'n-1' });
  const other = { caller: 'integrator' as const, id: 'other-shop' };
  const shop = { caller: 'integrator' as const, id: 'shop' };

  // Any number of verdicts for someone else: the nonce stays unconsumed.
  for (let i = 0; i < 2; i++)
    assert.equal((await verifyToken(t.ctx, token, { principal: other })).jti.length > 0, true);
  // The audience consumes it once; a second presentation is a replay.
  await verifyToken(t.ctx, token, { principal: shop });
  await assert.rejects(verifyToken(t.ctx, token, { principal: shop }), { code: 'NONCE_REPLAYED' });
  await t.app.close();
});
