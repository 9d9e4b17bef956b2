// Gaps found by mutation testing: the owner proof on a profile is dated by the agent's `claimed_at`. An agent
// registered with a linking key is claimed in its registration (createAgent sets `claimed_at`), and nothing checked
// its profile: writing `claimed_at: null` there dropped the owner proof from every linked agent's profile and left
// every test passing. A claim with a claim token, made later, dates the proof by the claim, not the registration.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { TEST_ENV, bearer, createOwner, registerPow } from './helpers.ts';

async function proofsOf(app: FastifyInstance, did: string): Promise<unknown[]> {
  const res = await app.inject({ method: 'GET', url: `/v1/identity/${did}` });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { verified_proofs: unknown[] }).verified_proofs;
}

eachEngine(
  'the owner proof is dated when the agent was claimed, by a linking key or a claim token',
  async ({ open }) => {
    const storage = await open();
    const { app, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      const owner = await createOwner(app, 'acme');
      const minted = await app.inject({
        method: 'POST',
        url: '/api/v1/owners/linking-keys',
        headers: bearer(owner.apiKey),
      });
      assert.equal(minted.statusCode, 201, minted.body);
      const { linkingKey } = minted.json() as { linkingKey: string };

      clock.advance(60_000);
      const linkedAt = new Date(clock.now()).toISOString();
      const linked = await registerPow(app, { linkingKey });
      assert.equal(linked.linked, true);
      assert.deepEqual(await proofsOf(app, linked.did), [{ type: 'owner', value: 'acme', verified_at: linkedAt }]);

      const unclaimed = await registerPow(app);
      assert.deepEqual(await proofsOf(app, unclaimed.did), [], 'no owner proof before a claim');
      clock.advance(3_600_000);
      const claimedAt = new Date(clock.now()).toISOString();
      const claim = await app.inject({
        method: 'POST',
        url: '/api/v1/agents/claim',
        headers: bearer(owner.apiKey),
        payload: { claimToken: unclaimed.claimToken },
      });
      assert.equal(claim.statusCode, 200, claim.body);
      assert.deepEqual(await proofsOf(app, unclaimed.did), [{ type: 'owner', value: 'acme', verified_at: claimedAt }]);
    } finally {
      await app.close();
    }
  },
);
