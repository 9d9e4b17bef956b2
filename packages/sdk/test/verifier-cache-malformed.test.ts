// A verifier cache is plain JSON stored anywhere, so it can come back hand-edited: one without `revocations` (or with
// members of the wrong type) threw a raw TypeError out of verifyToken and the offline verifier's verifyContent; it is
// answered INVALID_ARGUMENT like any other argument the caller got wrong. A missing revocation list is never read as
// an empty one (a revoked token would pass).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOfflineVerifier, verifyToken } from '../src/index.ts';
import type { VerifierCache } from '../src/index.ts';

const good = {
  server: 'http://127.0.0.1:1',
  fetchedAt: 0,
  discovery: { issuer: 'http://127.0.0.1:1', keys: [] },
  vouchKeys: { keys: [] },
  revocations: { jtis: [] },
  signatures: {},
};

test('verifyToken answers INVALID_ARGUMENT for a cache of the wrong shape', async () => {
  const bad: unknown[] = [
    null,
    {},
    { ...good, revocations: undefined },
    { ...good, revocations: null },
    { ...good, revocations: {} },
    { ...good, revocations: { jtis: 'abc' } },
    { ...good, revocations: { jtis: [1] } },
    { ...good, discovery: undefined },
    { ...good, discovery: { keys: [] } },
    { ...good, discovery: { issuer: 'http://127.0.0.1:1', keys: {} } },
  ];
  for (const cache of bad) {
    const r = await verifyToken('a.b.c', cache as VerifierCache);
    assert.equal(r.valid, false, JSON.stringify(cache));
    assert.equal((r as { code: string }).code, 'INVALID_ARGUMENT', JSON.stringify(cache));
    if (cache === null) {
      assert.throws(() => createOfflineVerifier(cache as unknown as VerifierCache), { code: 'INVALID_ARGUMENT' });
      continue;
    }
    const o = await createOfflineVerifier(cache as VerifierCache).verifyToken('a.b.c');
    assert.equal((o as { code: string }).code, 'INVALID_ARGUMENT', JSON.stringify(cache));
  }
  // The well-formed cache gets as far as the token.
  const r = await verifyToken('a.b.c', good as VerifierCache);
  assert.equal((r as { code: string }).code, 'JWT_MALFORMED');
});

test('the offline verifier answers INVALID_ARGUMENT for signatures of the wrong type', async () => {
  for (const signatures of [undefined, null, 'x', []]) {
    const cache = { ...good, signatures } as unknown as VerifierCache;
    const r = await createOfflineVerifier(cache).verifyContent('a'.repeat(64), 'hello');
    assert.equal(r.valid, false);
    assert.equal((r as { code: string }).code, 'INVALID_ARGUMENT', String(signatures));
  }
});
