// The key and statement helpers that take the CryptoProvider as a positional argument (jwkThumbprint,
// generateKeyPair, signKeyProof, signKeyRotation, signedMessageText, sha256Hex, signAipIssueProof) used whatever they
// were given: one that is not a provider (its name 'webcrypto', a number, an object of the wrong shape: settings read
// from JSON) threw a raw TypeError ("provider.sha256 is not a function"). Each now refuses it as VouchError
// INVALID_ARGUMENT naming crypto, as VouchClient and createAipVerifier refuse their crypto option; null and absent
// are still the default provider (crypto-argument-null.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  generateKeyPair,
  isVouchError,
  jwkThumbprint,
  sha256Hex,
  signAipIssueProof,
  signedMessageText,
  signKeyProof,
  signKeyRotation,
} from '../src/index.ts';
import type { CryptoProvider } from '../src/index.ts';

const BAD = ['webcrypto', 42, {}, { name: 'node', sign: () => undefined }];
const SIGNED_AT = Date.UTC(2026, 0, 1);

function invalidCrypto(err: unknown): boolean {
  assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
  assert.equal(err.message, 'crypto must be a CryptoProvider (getDefaultCrypto(), createWebCryptoProvider()).');
  return true;
}

test('a crypto argument that is not a CryptoProvider is INVALID_ARGUMENT, never a raw TypeError', async () => {
  const pair = await generateKeyPair('Ed25519');
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
  for (const value of BAD) {
    const bad = value as unknown as CryptoProvider;
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['generateKeyPair', () => generateKeyPair('Ed25519', bad)],
      ['jwkThumbprint (JWK)', () => jwkThumbprint(jwk, bad)],
      ['jwkThumbprint (key)', () => jwkThumbprint(pair.publicKey, bad)],
      ['sha256Hex', () => sha256Hex('abc', bad)],
      ['signedMessageText', () => signedMessageText('a'.repeat(64), SIGNED_AT, 'note', bad)],
      [
        'signKeyProof',
        () => signKeyProof(pair.privateKey, { publicUrl: 'https://vouch.example', signedAt: SIGNED_AT }, bad),
      ],
      [
        'signKeyRotation',
        () =>
          signKeyRotation(pair.privateKey, { did: 'did:identity:abc', oldKeyBase64: 'b2xk', signedAt: SIGNED_AT }, bad),
      ],
      [
        'signAipIssueProof',
        () =>
          signAipIssueProof(
            pair.privateKey,
            { did: 'did:identity:abc', tokenType: 'identity', signedAt: SIGNED_AT },
            bad,
          ),
      ],
    ];
    for (const [name, call] of calls) {
      await assert.rejects(call, invalidCrypto, `${name} with ${JSON.stringify(value)}`);
    }
  }
});
