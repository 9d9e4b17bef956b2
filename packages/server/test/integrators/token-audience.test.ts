// The integrator caller speaks for the session-token audience named by its slug: verifying with its API key
// consumes the token's nonce (once), other integrators' keys do not.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { bearer, createIntegrator, issue, post, registerAgent, repApp } from './helpers.ts';

eachEngine("an integrator whose slug is a session token's aud consumes its nonce", async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  const shopKey = await createIntegrator(t, 'shop', []);
  const bankKey = await createIntegrator(t, 'bank', []);
  const agent = await registerAgent(t);
  const { token } = await issue(t, agent.did, { token_type: 'session', audience: 'shop', nonce: 'n-1' });
  const verify = (headers: Record<string, string>) =>
    post(t, '/api/registry/verify', { token, audience: 'shop', nonce: 'n-1' }, headers);

  // Anonymous checks and another integrator's key do not consume the nonce.
  assert.equal((await verify({})).statusCode, 200);
  assert.equal((await verify(bearer(bankKey))).statusCode, 200);
  assert.equal((await verify(bearer(bankKey))).statusCode, 200);
  // The audience itself consumes it, once.
  const first = await verify(bearer(shopKey));
  assert.equal(first.statusCode, 200, first.body);
  const replay = await verify(bearer(shopKey));
  assert.equal(replay.statusCode, 401, replay.body);
  assert.equal(replay.json().code, 'NONCE_REPLAYED');
  await t.app.close();
});
