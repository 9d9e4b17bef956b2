// createOfflineVerifier({rootKey: null}) (settings read from JSON, no key pinned yet): the registry checks took null
// for a pinned key and answered INVALID_KEY ("Expected a public key as text, JWK object or SPKI DER bytes"), where
// docs/PROTOCOL.md says a verifier without a pinned rootKey answers INVALID_ARGUMENT, as it does when rootKey is
// absent. A null rootKey is now an absent one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOfflineVerifier } from '../src/index.ts';
import type { OfflineVerifierOptions, VerifierCache } from '../src/index.ts';
import { governedRegistry, NOW } from './registry-fixtures.ts';

test('an offline verifier with rootKey: null answers as one without a pinned root key', async () => {
  const g = await governedRegistry();
  const cache = { trustRegistry: JSON.parse(JSON.stringify(g.doc)), signatures: {} } as unknown as VerifierCache;
  const now = () => NOW.getTime();
  const pinned = createOfflineVerifier(cache, { rootKey: g.root.publicKey, now });
  assert.equal((await pinned.verifyRegistry()).valid, true);
  const absent = createOfflineVerifier(cache, { now });
  const nulled = createOfflineVerifier(cache, { rootKey: null, now } as unknown as OfflineVerifierOptions);
  for (const v of [absent, nulled]) {
    const r = await v.verifyRegistry();
    assert.equal((r as { code?: string }).code, 'INVALID_ARGUMENT', JSON.stringify(r));
    const c = await v.verifyAgentCredential('x.y.z');
    assert.equal((c as { code?: string }).code, 'INVALID_ARGUMENT', JSON.stringify(c));
  }
});
