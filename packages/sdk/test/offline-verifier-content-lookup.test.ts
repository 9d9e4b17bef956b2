// createOfflineVerifier().verifyContent looks the signature hash up among the cache's own records only: a hash that
// names a member every object inherits (constructor, toString, __proto__) found Object's function or prototype and
// answered RECORD_INVALID (a malformed record) instead of NOT_FOUND (the cache holds none for it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOfflineVerifier } from '../src/index.ts';
import type { VerifierCache } from '../src/index.ts';

test('verifyContent answers NOT_FOUND for a hash named like an inherited member', async () => {
  // A cache as stored and read back.
  const cache = JSON.parse(
    JSON.stringify({
      server: 'http://127.0.0.1:1',
      fetchedAt: 0,
      discovery: { issuer: 'http://127.0.0.1:1', keys: [] },
      vouchKeys: { keys: [] },
      revocations: { jtis: [] },
      signatures: {},
    }),
  ) as VerifierCache;
  const verifier = createOfflineVerifier(cache);
  for (const hash of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'a'.repeat(64)]) {
    const r = await verifier.verifyContent(hash, 'hello');
    assert.equal(r.valid, false, hash);
    assert.equal((r as { code: string }).code, 'NOT_FOUND', hash);
  }
});
