// Review: POST /v1/identity/{slug}/verify-voice read the agent, then its profile (for the score), then its voice
// fingerprint, in three queries. A revocation committing after the first answered `verified: true`, `confidence` 1
// and no `code` (the agent as first read) beside `safe_for_payment: false` from the revoked agent's score of 0: an
// answer of no moment, where the agent either still stood (safe for payment) or was revoked (verified: false,
// AGENT_REVOKED). The interleaving is forced: the revocation commits right after the route's first read.
import assert from 'node:assert/strict';
import { signKeyProof } from '@vouch/sdk';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { makeApp } from '../helpers/app.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { eachEngine } from '../helpers/storage.ts';
import { admin, bearer, newPair, registerSlug, TEST_ENV } from './helpers.ts';

const FINGERPRINT = 'ab'.repeat(32);

eachEngine('verify-voice answers the agent, its score and its voice of one moment', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const pair = await newPair();
    const agent = await registerSlug(app, 'voice-agent', {
      public_key_pem: pair.publicPem,
      code_hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      key_proof: await signKeyProof(pair.privateKey, {
        publicUrl: TEST_ENV.VOUCH_PUBLIC_URL,
        signedAt: clock.now(),
      }).then((p) => ({ signed_at: p.signedAt, signature: p.signature })),
    });
    await createAgentDomainPort(ctx).recordDomainProof(agent.id, 'voice.example.com', 'dns_txt', clock.now(), 't');
    const voice = await app.inject({
      method: 'POST',
      url: '/v1/identity/voice-agent/voice-fingerprint',
      headers: bearer(agent.managementToken),
      payload: { fingerprint_hash: FINGERPRINT, provider: 'acme', sample_count: 3 },
    });
    assert.equal(voice.statusCode, 200, voice.body);
    const verify = async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/identity/voice-agent/verify-voice',
        payload: { fingerprint_hash: FINGERPRINT },
      });
      assert.equal(res.statusCode, 200, res.body);
      const { verified, confidence, safe_for_payment, code } = res.json() as Record<string, unknown>;
      return { verified, confidence, safe_for_payment, code };
    };
    const standing = { verified: true, confidence: 1, safe_for_payment: true, code: undefined };
    const revoked = { verified: false, confidence: 0, safe_for_payment: false, code: 'AGENT_REVOKED' };
    assert.deepEqual(await verify(), standing, 'score 75, domain, proven key, 3 samples');

    clock.advance(1000);
    afterNextPoolQuery(storage.db, /from "agents"/, async () => {
      const res = await app.inject({ method: 'POST', url: `/api/v1/agents/${agent.did}/revoke`, headers: admin });
      assert.equal(res.statusCode, 200, res.body);
    });
    const raced = await verify();
    assert.ok(
      [standing, revoked].some((answer) => JSON.stringify(answer) === JSON.stringify(raced)),
      `an answer of one moment, not ${JSON.stringify(raced)}`,
    );
    assert.deepEqual(await verify(), revoked);
  } finally {
    await app.close();
  }
});
