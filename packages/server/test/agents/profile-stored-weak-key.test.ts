// An agent whose stored key is one the SDK now refuses (a point of small order, registered before such keys were
// refused: nothing removed them) still has a profile: GET /v1/identity/{slug} parsed the stored key to give its PEM
// and answered 400 INVALID_KEY, a refusal of input the caller never sent, while the agent page and the resolve answer
// showed the agent. The profile now answers 200 with the key as stored, no PEM and key_proven false (a signature
// for such a key can be forged, proofs included).
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { newPair, registerSlug, TEST_ENV } from './helpers.ts';

// The identity point, of small order: OpenSSL verifies a fixed forged signature for it.
const WEAK = Buffer.from('01'.padEnd(64, '0'), 'hex').toString('base64');

eachEngine(
  'a stored key of small order: the profile answers 200, the key as stored, no PEM, not proven',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: TEST_ENV });
    try {
      const pair = await newPair();
      const agent = await registerSlug(app, 'legacy-weak', { public_key_pem: pair.publicPem });
      // As a version before the refusal stored it, proof and all.
      await storage.db
        .updateTable('agents')
        .set({ public_key: WEAK, key_proven_at: 1 })
        .where('id', '=', agent.id)
        .execute();
      const res = await app.inject({ method: 'GET', url: '/v1/identity/legacy-weak' });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as Record<string, unknown>;
      assert.equal(body.did, agent.did);
      assert.equal(body.public_key, WEAK);
      assert.equal(body.public_key_pem, null);
      assert.equal(body.key_proven, false);

      // A valid stored key keeps its PEM.
      const fine = await newPair();
      await registerSlug(app, 'legacy-fine', { public_key_pem: fine.publicPem });
      const ok = (await app.inject({ method: 'GET', url: '/v1/identity/legacy-fine' })).json() as Record<
        string,
        unknown
      >;
      assert.equal(ok.public_key_pem, fine.publicPem);
    } finally {
      await app.close();
    }
  },
);
