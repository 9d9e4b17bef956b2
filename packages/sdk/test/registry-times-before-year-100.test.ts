// The registry validator reads an ISO-8601 time's four-digit year as written: years 0000-0099 are those years, as
// Date.parse (which verifyRegistry uses for expiry) reads them. It built them with Date.UTC, which maps a year below
// 100 to 1900 + year, so "expiresAt later than updatedAt" compared 0099 as 1999: a document expiring in 0099 after
// an update in 1998 passed, and one updated in 0099 and expiring in 1998 was refused.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateRegistryDocument, type RegistryDocument } from '../src/index.ts';
import { governedRegistry, throwsCode, type Governed } from './registry-fixtures.ts';

let g: Governed;
before(async () => {
  g = await governedRegistry();
});

function withTimes(updatedAt: string, expiresAt: string): RegistryDocument {
  const d = structuredClone(g.doc);
  d.updatedAt = updatedAt;
  d.expiresAt = expiresAt;
  return d;
}

test('expiresAt must be later than updatedAt also for years before 100', () => {
  assert.equal(Date.parse('0099-06-01T00:00:00.000Z') < Date.parse('1998-01-01T00:00:00.000Z'), true);
  throwsCode(
    () => validateRegistryDocument(withTimes('1998-01-01T00:00:00.000Z', '0099-06-01T00:00:00.000Z')),
    'REGISTRY_INVALID',
    /expiresAt/,
  );
  throwsCode(
    () => validateRegistryDocument(withTimes('0050-03-01T00:00:00.000Z', '0050-02-28T23:59:59.999Z')),
    'REGISTRY_INVALID',
    /expiresAt/,
  );
  validateRegistryDocument(withTimes('0099-01-01T00:00:00.000Z', '1998-01-01T00:00:00.000Z'));
  validateRegistryDocument(withTimes('0000-02-29T00:00:00.000Z', '0000-03-01T00:00:00.000Z'));
  validateRegistryDocument(withTimes('2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.001Z'));
});
