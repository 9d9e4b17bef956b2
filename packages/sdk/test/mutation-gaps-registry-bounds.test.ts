// Registry bounds no test could notice being weakened (found by mutation testing): each case fails with the
// mutation named beside it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyGenesis, parseRegistryDocument, signRegistryDocument, validateRegistryDocument } from '../src/index.ts';
import { governedRegistry, NOW, rejectsCode, throwsCode } from './registry-fixtures.ts';

// Mutation: utf8Length taking a high surrogate followed by any unit from U+DC00 up (U+E000..U+FFFF too) for a pair.
test('a lone high surrogate before U+E000..U+FFFF counts 3 UTF-8 bytes, as TextEncoder writes it', () => {
  const text = `"${'\ud800\ue000'.repeat(20)}"`;
  assert.equal(new TextEncoder().encode(text).length, 122);
  throwsCode(() => parseRegistryDocument(text, { maxBytes: 121 }), 'REGISTRY_INVALID', /larger than 121 bytes/);
  // At its true size it is measured through (and refused as no document, not as too large).
  assert.throws(
    () => parseRegistryDocument(text, { maxBytes: 122 }),
    (e: Error) => !/larger than/.test(e.message),
  );
});

// Mutation: `expires <= LAST_WRITABLE_TIME` → `<` (the last instant of year 9999 refused).
test('signRegistryDocument signs up to 9999-12-31T23:59:59.999Z and not a millisecond later', async () => {
  const g = await governedRegistry();
  const last = '9999-12-31T23:59:59.999Z';
  const doc = await signRegistryDocument(g.state, { rootKey: g.root.privateKey, now: NOW, expiresAt: last });
  assert.equal(validateRegistryDocument(doc).expiresAt, last);
  await assert.rejects(
    signRegistryDocument(g.state, { rootKey: g.root.privateKey, now: NOW, expiresAt: Date.parse(last) + 1 }),
    (e: Error & { code?: string }) => e.code === 'INVALID_ARGUMENT' && /before the year 10000/.test(e.message),
  );
});

// Mutation: the validitySeconds check dropped (NaN was then refused as "before the year 10000", 0 and -1 as
// "expiresAt must be later than now": errors naming an option the caller did not give).
test('signRegistryDocument names validitySeconds when it is not a positive number', async () => {
  const g = await governedRegistry();
  for (const validitySeconds of [Number.NaN, 0, -1, Infinity]) {
    await rejectsCode(
      () => signRegistryDocument(g.state, { rootKey: g.root.privateKey, now: NOW, validitySeconds }),
      'INVALID_ARGUMENT',
      /validitySeconds must be a positive number/,
    );
  }
});

// Mutation: applyGenesis's integer check on the threshold dropped (2.5 then passed the bounds and made a genesis step
// that no verifier reads: the document's shape needs an integer).
test('applyGenesis refuses a threshold that is not an integer', async () => {
  const g = await governedRegistry();
  const founders = g.docs[1]!.issuers;
  for (const threshold of [2.5, Number.NaN]) {
    throwsCode(
      () => applyGenesis({ rootKey: g.root.publicKey, issuers: founders, threshold, appliedAt: NOW }),
      'INVALID_ARGUMENT',
      /threshold must be an integer/,
    );
  }
});
