// A capability proof of possession is over exactly {agentId, resource, action, iat} of the request it goes with,
// and an issuer's revocation request over exactly {jti, iat} (found by mutation testing: dropping the resource or
// agentId comparison in verifyCapabilityProof, or either verifier's check that the payload holds those members and
// no other, failed no SDK test). Each case changes one thing only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CAPABILITY_PROOF_TYP,
  CAPABILITY_REVOCATION_TYP,
  encodeBase64url,
  generateKeyPair,
  getDefaultCrypto,
  signCapabilityProof,
  verifyCapabilityProof,
  verifyRevocationRequest,
  type PrivateKey,
} from '../src/index.ts';
import { governedRegistry, NOW, rejectsCode } from './registry-fixtures.ts';

const now = NOW.getTime();
const req = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };

/** A JWS over any payload, signed by `key` with the header the SDK's signers write (`kid` given). */
async function rawProof(
  payload: Record<string, unknown>,
  key: PrivateKey,
  typ = CAPABILITY_PROOF_TYP,
  kid = 'k',
): Promise<string> {
  const header = { alg: 'EdDSA', typ, kid };
  const input = `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(JSON.stringify(payload))}`;
  const sig = await getDefaultCrypto().sign('EdDSA', key, new TextEncoder().encode(input));
  return `${input}.${encodeBase64url(sig)}`;
}

test('a proof for another resource or another agent does not prove this request', async () => {
  const agent = await generateKeyPair('Ed25519');
  const check = (proof: string) => verifyCapabilityProof(proof, { agentKey: agent.publicKey, ...req, now });
  // The control: the exact request verifies.
  assert.equal(await check(await signCapabilityProof(req, agent.privateKey, { now })), Math.floor(now / 1000));
  // A wider pattern, or a neighbour, signed by the same key for the same agent and action.
  for (const resource of ['payments:*', 'payments:invoices:42', 'payments:refunds']) {
    const proof = await signCapabilityProof({ ...req, resource }, agent.privateKey, { now });
    await rejectsCode(() => check(proof), 'PROOF_INVALID');
  }
  // The same key may be bound for two agent ids: a proof for one is not one for the other.
  const other = await signCapabilityProof({ ...req, agentId: 'agent:y' }, agent.privateKey, { now });
  await rejectsCode(() => check(other), 'PROOF_INVALID');
});

test('a proof payload holds exactly agentId, resource, action and iat', async () => {
  const agent = await generateKeyPair('Ed25519');
  const check = (proof: string) => verifyCapabilityProof(proof, { agentKey: agent.publicKey, ...req, now });
  const iat = Math.floor(now / 1000);
  assert.equal(await check(await rawProof({ ...req, iat }, agent.privateKey)), iat);
  // A member the verifier does not read (e.g. meant for another gateway or route) is not silently ignored.
  await rejectsCode(() => rawProof({ ...req, iat, aud: 'elsewhere' }, agent.privateKey).then(check), 'PROOF_INVALID');
});

test('a revocation request payload holds exactly jti and iat', async () => {
  const g = await governedRegistry();
  const alpha = g.orgs.alpha!.privateKey;
  const iat = Math.floor(now / 1000);
  const check = (proof: string) => verifyRevocationRequest(proof, { registry: g.doc, jti: 't1', now });
  assert.equal(await check(await rawProof({ jti: 't1', iat }, alpha, CAPABILITY_REVOCATION_TYP, 'alpha')), 'alpha');
  const widened = await rawProof({ jti: 't1', iat, scope: 'all' }, alpha, CAPABILITY_REVOCATION_TYP, 'alpha');
  await rejectsCode(() => check(widened), 'PROOF_INVALID');
});
