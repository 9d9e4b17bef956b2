// The capability signers (agent credential, proof of possession, issuer revocation request) refuse a time they cannot
// sign: a `now` that is NaN, an invalid Date, infinite or before the epoch, and a credential whose `exp` would not be
// a safe whole number. They signed `"iat": null` (and `"exp": null`) before, which every verifier, the gateway
// included, then refused as malformed, far from the caller's mistake.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  VouchError,
  generateKeyPair,
  signAgentCredential,
  signCapabilityProof,
  signRevocationRequest,
} from '../src/index.ts';

const BAD_TIMES: ReadonlyArray<number | Date> = [NaN, new Date('not a time'), Infinity, -Infinity, -5000];

function refused(err: unknown): boolean {
  return err instanceof VouchError && err.code === 'INVALID_ARGUMENT';
}

test('capability signers refuse a now that is not a time, INVALID_ARGUMENT, signing nothing', async () => {
  const { privateKey } = await generateKeyPair('Ed25519');
  for (const now of BAD_TIMES) {
    const what = String(now);
    await assert.rejects(
      signAgentCredential({ issuerId: 'acme', agentId: 'a', ttlSeconds: 60, now }, privateKey),
      refused,
      `credential, now ${what}`,
    );
    await assert.rejects(
      signCapabilityProof({ agentId: 'a', resource: 'payments', action: 'read' }, privateKey, { now }),
      refused,
      `proof, now ${what}`,
    );
    await assert.rejects(
      signRevocationRequest({ jti: 'j', issuerId: 'acme' }, privateKey, { now }),
      refused,
      `revocation request, now ${what}`,
    );
  }
  // The epoch itself, and a Date, still sign.
  for (const now of [0, new Date(1_700_000_000_000)]) {
    await signAgentCredential({ issuerId: 'acme', agentId: 'a', ttlSeconds: 60, now }, privateKey);
    await signCapabilityProof({ agentId: 'a', resource: 'payments', action: 'read' }, privateKey, { now });
    await signRevocationRequest({ jti: 'j', issuerId: 'acme' }, privateKey, { now });
  }
});

test('signAgentCredential refuses a ttlSeconds whose exp is not a safe whole number', async () => {
  const { privateKey } = await generateKeyPair('Ed25519');
  const now = 1_700_000_000_000;
  await assert.rejects(
    signAgentCredential({ issuerId: 'acme', agentId: 'a', ttlSeconds: Number.MAX_SAFE_INTEGER, now }, privateKey),
    refused,
  );
  const longest = Number.MAX_SAFE_INTEGER - now / 1000;
  await signAgentCredential({ issuerId: 'acme', agentId: 'a', ttlSeconds: longest, now }, privateKey);
});
