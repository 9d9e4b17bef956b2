// Review: an agent whose stored key is one the SDK now refuses (a point of small order, stored before such keys were
// refused) signs nothing: a signature for it can be forged. A request signed in its name answered 400 INVALID_KEY
// ("The Ed25519 public key is a point of small order"), a refusal of input the caller never sent, which anyone could
// provoke by naming the agent in X-Vouch-Agent; it is now what every signature that authenticates no one is, 401
// UNAUTHORIZED, and nothing is written. The agent's management token still manages it.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { bearer, codeOf, newPair, registerSlug, signedInject, TEST_ENV } from './helpers.ts';

// The identity point, of small order: OpenSSL verifies a fixed forged signature for it.
const WEAK = Buffer.from('01'.padEnd(64, '0'), 'hex').toString('base64');

eachEngine(
  'a request signed in the name of an agent with a stored small-order key: 401, nothing written',
  async ({ open }) => {
    const storage = await open();
    const { app, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      const pair = await newPair();
      const agent = await registerSlug(app, 'legacy-weak', { public_key_pem: pair.publicPem });
      // As a version before the refusal stored it.
      await storage.db.updateTable('agents').set({ public_key: WEAK }).where('id', '=', agent.id).execute();
      const url = `/api/v1/agents/${agent.did}/slug`;
      const signed = await signedInject(app, pair, agent.did, 'PUT', url, { slug: 'taken-over' }, clock.now());
      assert.equal(signed.statusCode, 401, signed.body);
      assert.equal(codeOf(signed), 'UNAUTHORIZED');
      const row = await storage.db.selectFrom('agents').select('slug').where('id', '=', agent.id).executeTakeFirst();
      assert.equal(row?.slug, 'legacy-weak');

      const byToken = await app.inject({
        method: 'PUT',
        url,
        headers: bearer(agent.managementToken),
        payload: { slug: 'legacy-weak-2' },
      });
      assert.equal(byToken.statusCode, 200, byToken.body);
    } finally {
      await app.close();
    }
  },
);
