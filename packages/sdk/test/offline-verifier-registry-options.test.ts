// createOfflineVerifier's lastSeen and maxLifetimeSeconds were held by no test: dropping either from the options it
// hands verifyTrustRegistry passed every test, and a verifier told what it accepted before (or how long its registry
// is signed for) would then take an older document (a rollback) or one signed for years as valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOfflineVerifier, governanceStepHash } from '../src/index.ts';
import type { VerifierCache } from '../src/index.ts';
import { governedRegistry, NOW } from './registry-fixtures.ts';

test('an offline verifier refuses a rolled-back registry (lastSeen) and an over-long one (maxLifetimeSeconds)', async () => {
  const g = await governedRegistry();
  const cacheOf = (doc: unknown) =>
    ({ trustRegistry: JSON.parse(JSON.stringify(doc)), signatures: {} }) as unknown as VerifierCache;
  const now = () => NOW.getTime();
  const rootKey = g.root.publicKey;
  const older = cacheOf(g.docs[3]);
  // Control: the older document is valid to a verifier that has seen nothing since.
  assert.equal((await createOfflineVerifier(older, { rootKey, now }).verifyRegistry()).valid, true);

  const lastSeen = { sequence: g.doc.sequence, chainHash: governanceStepHash(g.doc.governance.at(-1)!) };
  const remembering = createOfflineVerifier(older, { rootKey, now, lastSeen });
  const rolledBack = await remembering.verifyRegistry();
  assert.equal(rolledBack.valid, false);
  assert.equal((rolledBack as { code: string }).code, 'REGISTRY_ROLLBACK');
  // The checks that need the registry see the same refusal.
  const credential = await remembering.verifyAgentCredential('x.y.z');
  assert.equal((credential as { code?: string }).code, 'REGISTRY_ROLLBACK');
  // The current document is still accepted with that lastSeen.
  assert.equal((await createOfflineVerifier(cacheOf(g.doc), { rootKey, now, lastSeen }).verifyRegistry()).valid, true);

  // The fixture documents are signed for 7 days: a bound of one hour refuses them, a bound of 8 days does not.
  const bounded = await createOfflineVerifier(cacheOf(g.doc), {
    rootKey,
    now,
    maxLifetimeSeconds: 3600,
  }).verifyRegistry();
  assert.equal(bounded.valid, false);
  assert.equal((bounded as { code: string }).code, 'REGISTRY_LIFETIME_EXCEEDED');
  const roomy = createOfflineVerifier(cacheOf(g.doc), { rootKey, now, maxLifetimeSeconds: 8 * 86400 });
  assert.equal((await roomy.verifyRegistry()).valid, true);
});
