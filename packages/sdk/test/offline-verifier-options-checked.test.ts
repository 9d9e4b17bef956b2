// createOfflineVerifier took its `now` and `crypto` options as given, where the AIP verifier and the client refuse
// them when made (function-options-not-functions, crypto-option-not-a-provider): a clock that is not a function (a
// time read from JSON) or a crypto that is not a provider (its name, 'webcrypto') failed later, at each check, as a
// raw TypeError out of the helpers ("now is not a function") instead of a verdict. Both are now refused when the
// verifier is made, INVALID_ARGUMENT naming the option; null is the default, as absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOfflineVerifier, isVouchError } from '../src/index.ts';
import type { OfflineVerifierOptions, VerifierCache } from '../src/index.ts';

const cache = {
  discovery: { issuer: 'https://vouch.example', keys: [] },
  revocations: { jtis: [] },
  signatures: {},
} as unknown as VerifierCache;

function invalid(pattern: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
    assert.match(err.message, pattern);
    return true;
  };
}

test('a now that is not a function or a crypto that is not a provider is refused when the verifier is made', () => {
  for (const bad of [42, 'now', {}]) {
    const options = { now: bad } as unknown as OfflineVerifierOptions;
    assert.throws(() => createOfflineVerifier(cache, options), invalid(/^now must be a function/), String(bad));
  }
  for (const bad of ['webcrypto', 42, {}]) {
    const options = { crypto: bad } as unknown as OfflineVerifierOptions;
    assert.throws(
      () => createOfflineVerifier(cache, options),
      invalid(/^crypto must be a CryptoProvider/),
      String(bad),
    );
  }
});

test('a null now or crypto is the default, as an absent one', async () => {
  const verifier = createOfflineVerifier(cache, { now: null, crypto: null } as unknown as OfflineVerifierOptions);
  const r = await verifier.verifyToken('a.b.c');
  assert.equal(r.valid, false);
  assert.equal(r.valid === false && r.code, 'JWT_MALFORMED');
});
