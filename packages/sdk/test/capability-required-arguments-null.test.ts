// The capability functions' required arguments: signAgentCredential's input and key, the options of
// verifyAgentCredential, verifyCapabilityProof and verifyRevocationRequest, and checkCapability's request and options
// were read unguarded, so a null or absent one (a JavaScript caller, settings read from JSON) threw a raw TypeError
// ("Cannot read properties of null (reading 'signatureCache')"). Each now throws VouchError INVALID_ARGUMENT naming
// what is required. A null agentKey given to signAgentCredential is refused too, never an unbound credential.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkCapability,
  generateKeyPair,
  isVouchError,
  signAgentCredential,
  signCapabilityProof,
  signRevocationRequest,
  verifyAgentCredential,
  verifyCapabilityProof,
  verifyRevocationRequest,
} from '../src/index.ts';
import type { PrivateKey } from '../src/index.ts';
import { capabilityFixture } from './capability-fixtures.ts';

function invalid(names: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isVouchError(err), String(err));
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.message, names);
    return true;
  };
}

test('a null or absent required argument of the capability functions is INVALID_ARGUMENT naming it', async () => {
  const f = await capabilityFixture();
  const { privateKey } = await generateKeyPair('Ed25519');
  const token = await f.token();
  const input = { issuerId: 'alpha', agentId: 'agent:x', ttlSeconds: 60 };
  const credential = await signAgentCredential(input, privateKey);
  const request = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };
  const proof = await signCapabilityProof(request, privateKey);
  const revocation = await signRevocationRequest({ jti: 't1', issuerId: 'alpha' }, privateKey);
  type Any = never;
  for (const bad of [null, undefined, 'x']) {
    const label = String(bad);
    await assert.rejects(signAgentCredential(bad as Any, privateKey), invalid(/issuerId, agentId/), label);
    await assert.rejects(verifyAgentCredential(credential, bad as Any), invalid(/registry and now/), label);
    await assert.rejects(verifyCapabilityProof(proof, bad as Any), invalid(/agentKey.*now/), label);
    await assert.rejects(verifyRevocationRequest(revocation, bad as Any), invalid(/registry, jti and now/), label);
    await assert.rejects(checkCapability(token, bad as Any, { resolveKey: f.resolveKey, now: 0 }), invalid(/request/));
    await assert.rejects(checkCapability(token, request, bad as Any), invalid(/resolveKey and now/), label);
  }
  for (const key of [null, undefined]) {
    await assert.rejects(signAgentCredential(input, key as unknown as PrivateKey), invalid(/Ed25519/));
  }
  await assert.rejects(signAgentCredential({ ...input, agentKey: null as Any }, privateKey), invalid(/agentKey/));
});
