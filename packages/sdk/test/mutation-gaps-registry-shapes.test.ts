// Registry format checks that no test could notice being dropped or weakened (found by mutation testing): each case
// fails with the mutation named beside it.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  validateIssuerEntry,
  validateRegistryDocument,
  type IssuerEntry,
  type RegistryDocument,
} from '../src/index.ts';
import { entryFor, governedRegistry, makeOrg, throwsCode, type Governed } from './registry-fixtures.ts';

let g: Governed;
let entry: IssuerEntry;
const invalid = (fn: () => unknown, pattern?: RegExp) => throwsCode(fn, 'REGISTRY_INVALID', pattern);

before(async () => {
  g = await governedRegistry();
  entry = entryFor(await makeOrg('acme'));
});

// Mutation: `integer(step.sequence, …)` dropped (a step's sequence of another type went on to the replay).
test("a governance step's sequence is an integer of at least 1", () => {
  for (const sequence of ['5', 5.5, 0, null]) {
    const d: RegistryDocument = structuredClone(g.doc);
    (d.governance[4] as { sequence: unknown }).sequence = sequence;
    invalid(() => validateRegistryDocument(d), /^governance\[4\]\.sequence: /);
  }
});

// Mutation: the control-character class without \u007f (DEL).
test('names and contacts refuse DEL as they refuse the C0 controls', () => {
  assert.equal(validateIssuerEntry({ ...entry, metadata: { ...entry.metadata, name: 'Acme~' } }).id, 'acme');
  for (const name of ['Acme\u007f', 'Acme\u0000', 'Acme\u001f']) {
    invalid(
      () => validateIssuerEntry({ ...entry, metadata: { ...entry.metadata, name } }),
      /^metadata\.name: must not contain control characters/,
    );
  }
});

// Mutation: the URL credential check reading the user name only.
test('an endpoint with a password and no user name is refused', () => {
  for (const endpoint of ['https://:secret@credentials.acme.example', 'https://user@credentials.acme.example']) {
    invalid(() => validateIssuerEntry({ ...entry, endpoint }), /^endpoint: must not contain a user name or password/);
  }
});

// Mutation: [::1] dropped from the loopback hosts allowed over http.
test('http:// is allowed for localhost, 127.0.0.1 and [::1] only', () => {
  for (const endpoint of ['http://localhost:4100', 'http://127.0.0.1:4100', 'http://[::1]:4100']) {
    assert.equal(validateIssuerEntry({ ...entry, endpoint }).endpoint, endpoint);
  }
  for (const endpoint of ['http://127.0.0.2', 'http://[::2]', 'http://localhost.example']) {
    invalid(() => validateIssuerEntry({ ...entry, endpoint }), /^endpoint: must be an https/);
  }
});

// Mutations: the Gregorian leap rule without its century exception (1900-02-29 accepted) or without the 400-year
// rule (2000-02-29 refused).
test('February 29 exists in 2000 and 2024, not in 1900 or 2100', () => {
  for (const registeredAt of ['2000-02-29T00:00:00.000Z', '2024-02-29T00:00:00Z']) {
    assert.equal(validateIssuerEntry({ ...entry, registeredAt }).registeredAt, registeredAt);
  }
  for (const registeredAt of ['1900-02-29T00:00:00.000Z', '2100-02-29T00:00:00Z', '2025-02-29T00:00:00Z']) {
    invalid(() => validateIssuerEntry({ ...entry, registeredAt }), /^registeredAt: is not a real calendar time/);
  }
});
