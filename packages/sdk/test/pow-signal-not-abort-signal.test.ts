// solvePow's and proofOfWork's signal that is not an AbortSignal (the AbortController itself, a common slip, or
// another object) threw a raw TypeError ("signal?.throwIfAborted is not a function"), also out of
// createAgentIdentity. It is now refused as VouchError INVALID_ARGUMENT before the search; null is still no signal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWebCryptoProvider, getDefaultCrypto, isVouchError, proofOfWork, solvePow } from '../src/index.ts';

const PK = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';

function invalidSignal(err: unknown): boolean {
  assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
  assert.match(err.message, /AbortSignal/);
  return true;
}

test('a signal that is not an AbortSignal is INVALID_ARGUMENT for solvePow and proofOfWork', async () => {
  for (const bad of [new AbortController(), {}, 'abort']) {
    const signal = bad as unknown as AbortSignal;
    await assert.rejects(solvePow(PK, { difficulty: 1, signal }), invalidSignal);
    for (const crypto of [getDefaultCrypto(), createWebCryptoProvider()]) {
      await assert.rejects(proofOfWork(PK, { difficulty: 1, signal, crypto }), invalidSignal);
    }
  }
  const none = null as unknown as AbortSignal;
  assert.ok(await solvePow(PK, { difficulty: 1, signal: none }));
  assert.ok(await proofOfWork(PK, { difficulty: 1, signal: none, crypto: createWebCryptoProvider() }));
});
