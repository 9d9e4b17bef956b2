// Review: a capability token recorded with a bound agent key (`cnf`) that the SDK now refuses (a point of small order,
// from a credential accepted before such keys were refused) was delegated with 400 INVALID_KEY ("The Ed25519 public
// key is a point of small order"), about a key the caller did not send. No proof by such a key proves anything (one
// can be forged), so the delegation now answers what a proof that does not verify answers: 401 PROOF_INVALID (401
// PROOF_REQUIRED without one, as before), a forged proof included, and nothing is written.
import assert from 'node:assert/strict';
import { encodeBase64url, encodeUtf8, generateKeyPair, jwkThumbprint, signCapabilityProof } from '@vouch/sdk';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { admin, post } from '../registry/fixtures.ts';
import { issue } from './helpers.ts';

const X = 'agent:my-assistant:v1';
// The identity point, of small order: R = identity, S = 0 verifies under it for any message.
const WEAK_JWK = { kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(Buffer.from('01'.padEnd(64, '0'), 'hex')) };
const FORGED_SIGNATURE = encodeBase64url(Buffer.from('01'.padEnd(128, '0'), 'hex'));

const part = (value: unknown): string => encodeBase64url(encodeUtf8(JSON.stringify(value)));

eachEngine(
  'delegating a token recorded with a small-order bound key: 401 PROOF_INVALID, nothing written',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const req = { agentId: X, resource: 'payments:*', action: 'read' };
      const parent = await issue(app.app, req, admin(app.adminKey));
      assert.equal(parent.status, 201, JSON.stringify(parent.body));
      // As a version before the refusal recorded it, from a credential binding that key.
      await storage.db
        .updateTable('capability_tokens')
        .set({ cnf_jwk: JSON.stringify(WEAK_JWK) })
        .where('jti', '=', parent.body.tokenId!)
        .execute();
      const before = await tableCounts(storage);
      const child = { ...req, resource: 'payments:invoices' };
      const body = { token: parent.body.token, resource: child.resource };
      const delegate = (proof?: string) =>
        post(app.app, '/v1/tokens/delegate', proof === undefined ? body : { ...body, proof });

      const none = await delegate();
      assert.deepEqual([none.status, none.body.code], [401, 'PROOF_REQUIRED'], JSON.stringify(none.body));

      const other = await generateKeyPair('Ed25519');
      const header = { alg: 'EdDSA', typ: 'capability-proof+jwt', kid: await jwkThumbprint(WEAK_JWK) };
      const claims = { ...child, iat: Math.floor(app.clock.now() / 1000) };
      for (const proof of [
        await signCapabilityProof(child, other.privateKey, { now: app.clock.now() }),
        `${part(header)}.${part(claims)}.${FORGED_SIGNATURE}`,
      ]) {
        const res = await delegate(proof);
        assert.deepEqual([res.status, res.body.code], [401, 'PROOF_INVALID'], JSON.stringify(res.body));
      }
      assert.deepEqual(await tableCounts(storage), before);
    } finally {
      await app.app.close();
    }
  },
);
