// solvePow's and proofOfWork's onProgress was called as given after the first batch of hashes: one that is not a
// function (a string, an object: settings read from JSON) threw a raw TypeError ("onProgress is not a function")
// once that batch had been hashed, also out of createAgentIdentity. It is now refused as VouchError INVALID_ARGUMENT
// naming onProgress before any hashing; null is still no callback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPow,
  createWebCryptoProvider,
  getDefaultCrypto,
  isVouchError,
  proofOfWork,
  solvePow,
} from '../src/index.ts';

const PK = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';

function invalidOnProgress(err: unknown): boolean {
  assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
  assert.equal(err.message, 'onProgress must be a function.');
  return true;
}

test('an onProgress that is not a function is INVALID_ARGUMENT for solvePow and proofOfWork', async () => {
  for (const bad of ['log', 42, {}, true]) {
    const onProgress = bad as unknown as (attempts: number) => void;
    // Difficulty 8 is not met within the first batch: the callback would be reached.
    await assert.rejects(solvePow(PK, { difficulty: 8, batchSize: 1, onProgress }), invalidOnProgress);
    for (const crypto of [getDefaultCrypto(), createWebCryptoProvider()]) {
      await assert.rejects(proofOfWork(PK, { difficulty: 8, onProgress, crypto }), invalidOnProgress);
    }
  }
  const none = null as unknown as (attempts: number) => void;
  const solved = await solvePow(PK, { difficulty: 2, batchSize: 1, onProgress: none });
  assert.equal(checkPow(PK, solved.nonce, 2), true);
  const web = await proofOfWork(PK, { difficulty: 3, onProgress: none, crypto: createWebCryptoProvider() });
  assert.equal(checkPow(PK, web.nonce, 3), true);
});
