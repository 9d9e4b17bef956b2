// An agent whose stored key is one the SDK now refuses (a point of small order, registered before such keys were
// refused: nothing removed them) still has a profile: GET /v1/identity/{slug} parsed the stored key to give its PEM
// and answered 400 INVALID_KEY, a refusal of input the caller never sent, while the agent page and the resolve answer
// showed the agent. The profile now answers 200 with the key as stored, no PEM and key_proven false (a signature
// for such a key can be forged, proofs included).
import assert from 'node:assert/strict';
import { signKeyProof } from '@vouch/sdk';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { findAgent } from '../../src/modules/agents/service.ts';
import { makeApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { bearer, createOwner, newPair, registerSlug, TEST_ENV } from './helpers.ts';

// The identity point, of small order: OpenSSL verifies a fixed forged signature for it.
const WEAK = Buffer.from('01'.padEnd(64, '0'), 'hex').toString('base64');

/** Registers `slug` with a new key and a proof of its possession, and `extra`. */
async function registerProven(t: TestApp, slug: string, extra: Record<string, unknown> = {}) {
  const pair = await newPair();
  const proof = await signKeyProof(pair.privateKey, { publicUrl: TEST_ENV.VOUCH_PUBLIC_URL, signedAt: t.clock.now() });
  return registerSlug(t.app, slug, {
    public_key_pem: pair.publicPem,
    key_proof: { signed_at: proof.signedAt, signature: proof.signature },
    ...extra,
  });
}

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

eachEngine(
  'a stored key of small order proves nothing on the agent page nor for safe_for_payment',
  async ({ open }) => {
    const storage = await open();
    const t = await makeApp(storage, { env: TEST_ENV });
    const { app, ctx, clock } = t;
    try {
      const owner = await createOwner(app, 'payer');
      const minted = await app.inject({
        method: 'POST',
        url: '/api/v1/owners/linking-keys',
        headers: bearer(owner.apiKey),
      });
      // Registration 10 + proven key 20 + claimed 5 + model 5 + voice 5 + domain 25 = 70: safe with a sound key.
      const agent = await registerProven(t, 'weak-payer', {
        linking_key: (minted.json() as { linkingKey: string }).linkingKey,
        model_id: 'eleven-v2',
      });
      const fingerprint = 'ab'.repeat(32);
      const voice = await app.inject({
        method: 'POST',
        url: '/v1/identity/weak-payer/voice-fingerprint',
        headers: bearer(agent.managementToken),
        payload: { fingerprint_hash: fingerprint, provider: 'elevenlabs', sample_count: 3 },
      });
      assert.equal(voice.statusCode, 200, voice.body);
      await createAgentDomainPort(ctx).recordDomainProof(agent.id, 'weak-payer.example.com', 'file', clock.now());
      const check = async () => {
        const res = await app.inject({
          method: 'POST',
          url: `/v1/identity/weak-payer/verify-voice?fingerprint_hash=${fingerprint}`,
        });
        assert.equal(res.statusCode, 200, res.body);
        return (res.json() as { verified: boolean; safe_for_payment: boolean }).safe_for_payment;
      };
      const page = async () => (await app.inject({ method: 'GET', url: '/verify/weak-payer' })).body;
      assert.equal(await check(), true);
      assert.match(await page(), /\(possession proven\)/);

      await storage.db.updateTable('agents').set({ public_key: WEAK }).where('id', '=', agent.id).execute();
      assert.equal(await check(), false);
      assert.match(await page(), /\(possession not proven\)/);
    } finally {
      await app.close();
    }
  },
);

eachEngine(
  "a stored key of small order: the agents service's Agent says keyProven false, as the profile does",
  async ({ open }) => {
    const storage = await open();
    const t = await makeApp(storage, { env: TEST_ENV });
    const { app, ctx } = t;
    try {
      const agent = await registerProven(t, 'service-weak');
      assert.equal((await findAgent(ctx, agent.did))?.keyProven, true, 'a sound key, proven');

      await storage.db.updateTable('agents').set({ public_key: WEAK }).where('id', '=', agent.id).execute();
      const weak = await findAgent(ctx, agent.did);
      assert.equal(weak?.publicKey, WEAK);
      assert.equal(weak?.keyProven, false, 'a key whose proof anyone could forge is not proven');
    } finally {
      await app.close();
    }
  },
);
