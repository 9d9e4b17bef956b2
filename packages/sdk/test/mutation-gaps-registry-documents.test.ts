// Shape checks of registry documents and proposals that no test could notice being dropped or weakened (found by
// mutation testing of registry/document.ts and registry/proposal.ts): each case fails with the mutation named
// beside it.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  validateProposal,
  validateRegistryDocument,
  type GenesisStep,
  type Proposal,
  type ProposalStep,
  type RegistryDocument,
} from '../src/index.ts';
import { entryFor, governedRegistry, throwsCode, type Governed } from './registry-fixtures.ts';

let g: Governed;
const invalid = (fn: () => unknown, pattern: RegExp) => throwsCode(fn, 'REGISTRY_INVALID', pattern);
// With the last four, mutations of isoTime's bounds (h > 23, mi > 59, sec > 59, d < 1) made to let each through.
const NOT_TIMES = [
  null,
  5,
  '2025-01-01',
  '2025-01-01T00:00:00+00:00',
  '2025-02-30T00:00:00Z',
  '2025-01-01T24:00:00Z',
  '2025-01-01T00:60:00Z',
  '2025-01-01T00:00:60Z',
  '2025-01-00T00:00:00Z',
];

before(async () => {
  g = await governedRegistry();
});

/** The proposal of governance step `i` (2: threshold → 3, 3: remove delta), a copy. */
function proposalOf(i: number): Proposal {
  return structuredClone((g.doc.governance[i] as ProposalStep).proposal);
}

// Mutation: `if (d.$schema !== undefined) string(d.$schema, …)` dropped.
test("a document's $schema is a non-empty string without control characters", () => {
  assert.equal(
    validateRegistryDocument({ ...g.doc, $schema: 'https://vouch.example/registry.schema.json' }).sequence,
    5,
  );
  for (const $schema of [null, 5, '', 'a\nb', 'x'.repeat(2049)]) {
    invalid(() => validateRegistryDocument({ ...g.doc, $schema } as never), /^\$schema: /);
  }
});

// Mutation: `isoTime(step.appliedAt, …)` dropped.
test("a governance step's appliedAt is an ISO-8601 UTC time", () => {
  for (const appliedAt of NOT_TIMES) {
    const d: RegistryDocument = structuredClone(g.doc);
    (d.governance[4] as { appliedAt: unknown }).appliedAt = appliedAt;
    invalid(() => validateRegistryDocument(d), /^governance\[4\]\.appliedAt: /);
  }
});

// Mutation: `isoTime(revoked.revokedAt, …)` dropped.
test("a revoked record's revokedAt is an ISO-8601 UTC time", () => {
  for (const revokedAt of NOT_TIMES) {
    const d: RegistryDocument = structuredClone(g.doc);
    (d.revoked[0] as { revokedAt: unknown }).revokedAt = revokedAt;
    invalid(() => validateRegistryDocument(d), /^revoked\[0\]\.revokedAt: /);
  }
});

// Mutation: sha256Hex's pattern taking uppercase hex digits (two spellings of one step hash).
test("a governance step's prev is lowercase hex", () => {
  const d: RegistryDocument = structuredClone(g.doc);
  const step = d.governance[4] as ProposalStep;
  step.prev = step.prev.toUpperCase();
  invalid(() => validateRegistryDocument(d), /^governance\[4\]\.prev: must be 64 lowercase hex digits/);
});

// Mutations: `if (p.$schema !== undefined) string(…)` and `if (p.reason !== undefined) string(…)` dropped (the
// latter still refused a missing reason on "remove", not a reason of another type or size).
test("a proposal's $schema and reason are non-empty strings without control characters", () => {
  for (const bad of [null, 5, '', 'a\u0000b']) {
    invalid(() => validateProposal({ ...proposalOf(3), $schema: bad } as never), /^\$schema: /);
    invalid(() => validateProposal({ ...proposalOf(3), reason: bad } as never), /^reason: /);
    invalid(() => validateProposal({ ...proposalOf(2), reason: bad } as never), /^reason: /);
  }
  invalid(() => validateProposal({ ...proposalOf(3), reason: 'x'.repeat(1001) }), /^reason: must be at most 1000/);
  assert.equal(validateProposal({ ...proposalOf(3), reason: 'x'.repeat(1000) }).action, 'remove');
});

// Mutations: "threshold" dropped from the members a "remove" proposal forbids, "entry" from those a "threshold"
// proposal forbids.
test('a remove proposal carries no threshold, a threshold proposal no entry', () => {
  invalid(
    () => validateProposal({ ...proposalOf(3), threshold: { required: 2 } }),
    /^threshold: must be absent in a "remove" proposal/,
  );
  invalid(
    () => validateProposal({ ...proposalOf(2), entry: entryFor(g.orgs.foxtrot!) }),
    /^entry: must be absent in a "threshold" proposal/,
  );
});

// Mutations: `thumbprint(genesis.registry)`, `ed25519PublicKey(genesis.rootKey)`, `sha256Hex(admit.prev)` and
// `thumbprint(proposal.registry)` dropped.
test('a genesis step names registry and root key, an admit step its prev, a proposal its registry, by shape', () => {
  const withGenesis = (change: Partial<GenesisStep>): RegistryDocument => {
    const d: RegistryDocument = structuredClone(g.doc);
    Object.assign(d.governance[0]!, change);
    return d;
  };
  invalid(() => validateRegistryDocument(withGenesis({ registry: 'acme' })), /^governance\[0\]\.registry: /);
  invalid(() => validateRegistryDocument(withGenesis({ rootKey: 'ed25519:acme' })), /^governance\[0\]\.rootKey: /);
  const admit = { sequence: 6, kind: 'admit', appliedAt: g.doc.updatedAt, entry: g.doc.issuers[0] };
  const withAdmit = (prev: string) => ({ ...g.doc, governance: [...g.doc.governance, { ...admit, prev }] });
  assert.equal(validateRegistryDocument(withAdmit('a'.repeat(64))).governance.length, 6);
  invalid(() => validateRegistryDocument(withAdmit('A'.repeat(64))), /^governance\[5\]\.prev: /);
  invalid(() => validateProposal({ ...proposalOf(3), registry: 'acme' }), /^registry: /);
});
