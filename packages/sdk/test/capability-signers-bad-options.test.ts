// signCapabilityToken takes a required options argument ({kid, crypto?}); a null or absent one (a JavaScript caller,
// settings read from JSON) threw a raw TypeError, and one without a kid signed a token whose header has no kid, which
// every verifier refuses. signCapabilityProof and signRevocationRequest take optional options: null threw a raw
// TypeError where an absent argument gives the defaults, and a null input or key threw one too. Now: a missing or
// non-object required argument, a non-object options argument, or a missing kid is INVALID_ARGUMENT naming what is
// required; null options of the proof signers mean the defaults, as an absent argument (as everywhere in the SDK).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  generateKeyPair,
  isVouchError,
  signCapabilityProof,
  signCapabilityToken,
  signRevocationRequest,
  verifyCapabilityProof,
} from '../src/index.ts';
import type { CapabilityProofInput, PrivateKey } from '../src/index.ts';
import { capabilityFixture } from './capability-fixtures.ts';

function invalid(names: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isVouchError(err), String(err));
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.message, names);
    return true;
  };
}

type TokenOptions = Parameters<typeof signCapabilityToken>[2];
type ProofOptions = Parameters<typeof signCapabilityProof>[2];

test('signCapabilityToken without options holding a kid is INVALID_ARGUMENT naming the kid', async () => {
  const f = await capabilityFixture();
  const key = f.gateway.privateKey;
  for (const bad of [null, undefined, 'kid', 42, {}, { kid: '' }, { kid: 7 }]) {
    const options = bad as unknown as TokenOptions;
    await assert.rejects(signCapabilityToken(f.claims, key, options), invalid(/kid/), JSON.stringify(bad));
  }
  const p256 = (await generateKeyPair('P-256')).privateKey;
  for (const k of [null, undefined, p256]) {
    const signing = signCapabilityToken(f.claims, k as unknown as PrivateKey, { kid: f.gateway.thumbprint });
    await assert.rejects(signing, invalid(/Ed25519/), String(k));
  }
  assert.equal((await signCapabilityToken(f.claims, key, { kid: f.gateway.thumbprint })).split('.').length, 3);
});

test('the proof signers refuse a bad input, key or options as INVALID_ARGUMENT; null options are none', async () => {
  const { privateKey, publicKey } = await generateKeyPair('Ed25519');
  const input = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };
  const now = Date.UTC(2026, 0, 1);
  for (const bad of ['now', 42, true]) {
    const options = bad as unknown as ProofOptions;
    await assert.rejects(signCapabilityProof(input, privateKey, options), invalid(/now.*crypto/), String(bad));
    const rev = signRevocationRequest({ jti: 't1', issuerId: 'alpha' }, privateKey, options);
    await assert.rejects(rev, invalid(/now.*crypto/), String(bad));
  }
  for (const bad of [null, undefined, 'x', { agentId: 'agent:x', resource: 'r' }, { ...input, action: 5 }]) {
    const given = bad as unknown as CapabilityProofInput;
    await assert.rejects(signCapabilityProof(given, privateKey), invalid(/agentId.*resource.*action/), String(bad));
  }
  for (const bad of [null, undefined, { jti: 't1' }, { jti: '', issuerId: 'alpha' }, { jti: 't1', issuerId: 3 }]) {
    const given = bad as unknown as { jti: string; issuerId: string };
    await assert.rejects(signRevocationRequest(given, privateKey), invalid(/jti.*issuerId/), JSON.stringify(bad));
  }
  for (const key of [null, undefined, {}]) {
    const k = key as unknown as PrivateKey;
    await assert.rejects(signCapabilityProof(input, k), invalid(/Ed25519/), String(key));
    await assert.rejects(signRevocationRequest({ jti: 't1', issuerId: 'alpha' }, k), invalid(/Ed25519/), String(key));
  }
  const none = null as unknown as ProofOptions;
  const proof = await signCapabilityProof(input, privateKey, none);
  assert.equal((await verifyCapabilityProof(proof, { ...input, agentKey: publicKey, now: Date.now() })) > 0, true);
  assert.equal((await signRevocationRequest({ jti: 't1', issuerId: 'alpha' }, privateKey, none)).split('.').length, 3);
  assert.ok(await signCapabilityProof(input, privateKey, { now }));
});
