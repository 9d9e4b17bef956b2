// A verify that presents the audience's credential but a wrong one (an integrator key rotated away, a mistyped admin
// key) is refused 401 UNAUTHORIZED: answered as anonymous it said valid without consuming the nonce, so the
// audience believed its replay defense held while the same token could be presented again and again.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { bearer, createIntegrator, issue, post, registerAgent, repApp } from './helpers.ts';

eachEngine(
  'a verify with a wrong admin or integrator key is 401 UNAUTHORIZED and consumes nothing',
  async ({ open }) => {
    const t = await repApp(await open());
    const shopKey = await createIntegrator(t, 'shop', []);
    const agent = await registerAgent(t);
    const { token } = await issue(t, agent.did, { token_type: 'session', audience: 'shop', nonce: 'n-1' });
    const verify = (headers: Record<string, string>) => post(t, '/api/registry/verify', { token }, headers);

    for (const headers of [
      bearer(`${shopKey}x`),
      bearer('vik_not-a-key'),
      { 'x-api-key': 'not-the-admin-key' },
      { 'x-api-key': '' },
    ]) {
      const r = await verify(headers);
      assert.equal(r.statusCode, 401, `${JSON.stringify(headers)}: ${r.body}`);
      assert.equal(r.json().code, 'UNAUTHORIZED');
      assert.equal(r.json().valid, undefined);
    }
    // Credentials the route does not take (an owner key, a management token) are still ignored, as before.
    assert.equal((await verify({ authorization: 'Bearer vouch_owner_unknown' })).statusCode, 200);
    // Nothing was consumed: the audience's own key still consumes the nonce, once.
    assert.equal((await verify(bearer(shopKey))).statusCode, 200);
    const replay = await verify(bearer(shopKey));
    assert.equal(replay.json().code, 'NONCE_REPLAYED');
    await t.app.close();
  },
);
