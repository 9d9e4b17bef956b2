// The functions taking the CryptoProvider as a positional argument defaulted it with a default parameter, which only
// an absent (undefined) argument takes: a null crypto (a JavaScript caller, settings read from JSON) threw a raw
// TypeError ("Cannot read properties of null"). Null now means the default provider, as undefined does and as a null
// `crypto` option already did (the SDK's rule: null means absent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  generateKeyPair,
  jwkThumbprint,
  sha256Hex,
  signAipIssueProof,
  signedMessageText,
  signKeyProof,
  signKeyRotation,
} from '../src/index.ts';
import type { CryptoProvider } from '../src/index.ts';

const none = null as unknown as CryptoProvider;
const SIGNED_AT = Date.UTC(2026, 0, 1);

test('a null crypto argument means the default provider, exactly as an absent one', async () => {
  assert.equal(await sha256Hex('abc', none), await sha256Hex('abc'));
  const pair = await generateKeyPair('Ed25519', none);
  assert.equal(pair.publicKey.type, 'Ed25519');
  assert.equal(pair.thumbprint, await jwkThumbprint(pair.publicKey));
  assert.equal(await jwkThumbprint(pair.publicKey, none), pair.thumbprint);
  const hash = 'a'.repeat(64);
  assert.equal(
    await signedMessageText(hash, SIGNED_AT, 'note', none),
    await signedMessageText(hash, SIGNED_AT, 'note'),
  );
  // Ed25519 signatures are deterministic: the same provider gives the same bytes.
  const proofInput = { publicUrl: 'https://vouch.example', signedAt: SIGNED_AT };
  assert.deepEqual(
    await signKeyProof(pair.privateKey, proofInput, none),
    await signKeyProof(pair.privateKey, proofInput),
  );
  const rotation = { did: 'did:identity:abc', oldKeyBase64: 'b2xk', signedAt: SIGNED_AT };
  assert.equal(
    await signKeyRotation(pair.privateKey, rotation, none),
    await signKeyRotation(pair.privateKey, rotation),
  );
  const aip = { did: 'did:identity:abc', tokenType: 'identity' as const, signedAt: SIGNED_AT };
  assert.deepEqual(await signAipIssueProof(pair.privateKey, aip, none), await signAipIssueProof(pair.privateKey, aip));
});
