// createSignatureCache filled an array of maxEntries slots up front: a large maxEntries (any non-negative safe
// integer is accepted) threw a raw RangeError from 2^32 on, and below that took the memory of every slot before a
// single token was kept (10^9 ran the process out of memory). The ring now grows with the tokens it keeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSignatureCache, generateKeyPair, keysFromJwks, signJwt, verifyJws } from '../src/index.ts';

test('a signature cache with a very large maxEntries is made at once and works', async () => {
  const pair = await generateKeyPair('P-256');
  const resolveKey = keysFromJwks({ keys: [{ ...pair.publicJwk, kid: pair.thumbprint }] });
  const token = await signJwt({ sub: 'a' }, pair.privateKey, { kid: pair.thumbprint });
  for (const maxEntries of [2 ** 32, Number.MAX_SAFE_INTEGER, 1e9]) {
    const signatureCache = createSignatureCache({ maxEntries });
    for (let i = 0; i < 3; i++) await verifyJws(token, { resolveKey, signatureCache });
    assert.deepEqual(signatureCache.stats(), { hits: 1, misses: 2, size: 1 });
    signatureCache.clear();
    assert.equal(signatureCache.stats().size, 0);
  }
});
