// Review: an agent whose stored key is one the SDK now refuses (a point of small order, stored before such keys were
// refused) signs nothing, since a signature for it can be forged. Every route that checks a caller's signature
// against the agent's stored key (sign, signed report, the agent's token proof, consent) answered 400 INVALID_KEY
// ("The Ed25519 public key is a point of small order") about a key the caller never sent; each now answers what it
// answers for any signature that does not verify, a forged one included, and writes nothing.
import assert from 'node:assert/strict';
import { sha256HexSync } from '@vouch/sdk';
import type { LightMyRequestResponse } from 'fastify';
import { tableCounts } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { consentPayloadHash } from '../../src/modules/integrators/service.ts';
import { signText } from './helpers.ts';
import { createIntegrator, post, recordSignature, registerAgent, repApp } from '../integrators/helpers.ts';
import { proofBody } from '../tokens/helpers.ts';

// The identity point, of small order, and a signature OpenSSL verifies for it over any message (R = identity, S = 0).
const WEAK = Buffer.from('01'.padEnd(64, '0'), 'hex').toString('base64');
const FORGED = Buffer.from('01'.padEnd(128, '0'), 'hex').toString('base64');

function refused(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.equal((res.json() as { code: string }).code, code, res.body);
}

eachEngine(
  'a stored small-order agent key: sign, signed report, token proof and consent answer their bad-signature codes',
  async ({ open }) => {
    const storage = await open();
    const t = await repApp(storage);
    try {
      await createIntegrator(t, 'shop', []);
      const agent = await registerAgent(t);
      const target = await registerAgent(t);
      const signedAt = t.clock.now();
      // A consent signature recorded while the key was a sound one.
      const consent = { did: agent.did, integratorSlug: 'shop', action: 'allow' as const, signedAt };
      const signatureHash = await recordSignature(t, agent, consentPayloadHash(consent), signedAt);
      // As a version before the refusal stored it.
      await storage.db.updateTable('agents').set({ public_key: WEAK }).where('id', '=', agent.id).execute();
      const before = await tableCounts(storage);

      const payloadHash = sha256HexSync('hello');
      for (const signature of [await signText(agent.key, `${payloadHash}:${signedAt}`), FORGED]) {
        const sign = await post(t, '/api/v1/signatures/sign', { did: agent.did, payloadHash, signature, signedAt });
        refused(sign, 400, 'SIGNATURE_INVALID');
      }

      for (const signature of [await signText(agent.key, `report:${target.did}:spam:${signedAt}`), FORGED]) {
        const body = { did: target.did, reason: 'spam', reporterDid: agent.did, signature, signedAt };
        refused(await post(t, '/api/v1/agents/report', body), 400, 'SIGNATURE_INVALID');
      }

      const issue = await post(t, '/api/registry/issue', await proofBody(t, agent, 'identity'));
      refused(issue, 401, 'PROOF_INVALID');
      const forgedProof = { ...(await proofBody(t, agent, 'identity')), proof: FORGED };
      refused(await post(t, '/api/registry/issue', forgedProof), 401, 'PROOF_INVALID');

      const res = await post(t, '/api/v1/integrators/consent', { ...consent, signatureHash });
      refused(res, 403, 'SIGNATURE_KEY_ROTATED');

      assert.deepEqual(await tableCounts(storage), before);
    } finally {
      await t.app.close();
    }
  },
);
