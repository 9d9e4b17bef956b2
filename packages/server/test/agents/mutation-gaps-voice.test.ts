// Gaps found by mutation testing: safe_for_payment's score threshold is inclusive. MIN_PAYMENT_SCORE (70) is the
// lowest score that is safe: an agent at exactly 70 (and everything else in place) is safe, one at 65 is not. The
// existing tests only used scores of 40, 55 and 80, so either side of the edge could move unnoticed.
import assert from 'node:assert/strict';
import { signKeyProof } from '@vouch/sdk';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { MIN_PAYMENT_SCORE } from '../../src/modules/agents/voice.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { bearer, createOwner, newPair, registerSlug, TEST_ENV } from './helpers.ts';

const FINGERPRINT = 'ab'.repeat(32);

eachEngine('safe_for_payment: a score of exactly MIN_PAYMENT_SCORE is safe, 5 points less is not', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    assert.equal(MIN_PAYMENT_SCORE, 70);
    const owner = await createOwner(app, 'payer');
    const linkingKey = async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/owners/linking-keys',
        headers: bearer(owner.apiKey),
      });
      assert.equal(res.statusCode, 201, res.body);
      return (res.json() as { linkingKey: string }).linkingKey;
    };
    // registration 10 + proven key 20 + claimed 5 (+ model 5) + voice 5 + domain 25 = 70 (65 without the model).
    const setUp = async (slug: string, withModel: boolean) => {
      const pair = await newPair();
      const proof = await signKeyProof(pair.privateKey, {
        publicUrl: TEST_ENV.VOUCH_PUBLIC_URL,
        signedAt: clock.now(),
      });
      const agent = await registerSlug(app, slug, {
        public_key_pem: pair.publicPem,
        key_proof: { signed_at: proof.signedAt, signature: proof.signature },
        linking_key: await linkingKey(),
        ...(withModel ? { model_id: 'eleven-v2' } : {}),
      });
      const voice = await app.inject({
        method: 'POST',
        url: `/v1/identity/${slug}/voice-fingerprint`,
        headers: bearer(agent.managementToken),
        payload: { fingerprint_hash: FINGERPRINT, provider: 'elevenlabs', sample_count: 3 },
      });
      assert.equal(voice.statusCode, 200, voice.body);
      await createAgentDomainPort(ctx).recordDomainProof(agent.id, `${slug}.example.com`, 'file', clock.now());
      const profile = await app.inject({ method: 'GET', url: `/v1/identity/${slug}` });
      const score = (profile.json() as { identity_score: number }).identity_score;
      const res = await app.inject({
        method: 'POST',
        url: `/v1/identity/${slug}/verify-voice?fingerprint_hash=${FINGERPRINT}`,
      });
      assert.equal(res.statusCode, 200, res.body);
      const v = res.json() as { verified: boolean; safe_for_payment: boolean };
      return { score, verified: v.verified, safe_for_payment: v.safe_for_payment };
    };

    const atEdge = await setUp('edge-payer', true);
    assert.deepEqual(atEdge, { score: 70, verified: true, safe_for_payment: true });
    const below = await setUp('below-payer', false);
    assert.deepEqual(below, { score: 65, verified: true, safe_for_payment: false });
  } finally {
    await app.close();
  }
});
