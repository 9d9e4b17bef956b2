// verifyContent and verifyTrustRegistry take a required options argument ({record}, {rootKey}); a null one (a
// JavaScript caller, settings read from JSON) threw a raw TypeError ("Cannot read properties of null"), where an
// object lacking the member is answered {valid: false, code}. Null now reads as an object without members:
// verifyContent answers RECORD_INVALID, verifyTrustRegistry INVALID_ARGUMENT (verifyRegistry's code for a missing
// rootKey).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyContent, verifyTrustRegistry } from '../src/index.ts';
import type { VerifyContentOptions, VerifyTrustRegistryOptions } from '../src/index.ts';
import { governedRegistry, NOW } from './registry-fixtures.ts';

test('verifyContent answers a null options argument as one without a record (RECORD_INVALID)', async () => {
  const none = null as unknown as VerifyContentOptions;
  const r = await verifyContent('0'.repeat(64), 'hello', none);
  assert.deepEqual(r, await verifyContent('0'.repeat(64), 'hello', {} as VerifyContentOptions));
  assert.equal((r as { code?: string }).code, 'RECORD_INVALID');
});

test('verifyTrustRegistry answers a null options argument as one without a rootKey (INVALID_ARGUMENT)', async () => {
  const g = await governedRegistry();
  const doc: unknown = JSON.parse(JSON.stringify(g.doc));
  const pinned = await verifyTrustRegistry(doc, { rootKey: g.root.publicKey, now: NOW.getTime() });
  assert.equal(pinned.valid, true, JSON.stringify(pinned));
  const none = null as unknown as VerifyTrustRegistryOptions;
  const r = await verifyTrustRegistry(doc, none);
  assert.deepEqual(r, await verifyTrustRegistry(doc, {} as VerifyTrustRegistryOptions));
  assert.equal((r as { code?: string }).code, 'INVALID_ARGUMENT');
});
