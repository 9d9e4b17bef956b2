// Registry governance rules that no other test could notice being broken (found by mutation testing): each case
// below fails if its check is dropped. The forgeries are what the holder of the root key alone can produce.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  applyProposal,
  draftProposal,
  replayGovernance,
  validateRegistryDocument,
  verifyRegistry,
  type GovernanceStep,
  type RegistryDocument,
} from '../src/index.ts';
import {
  at,
  failureKeys,
  forge,
  governedRegistry,
  NOW,
  proposalFor,
  rawDocument,
  throwsCode,
  type Governed,
} from './registry-fixtures.ts';

let g: Governed;
const verify = (doc: RegistryDocument) => verifyRegistry(doc, { rootKey: g.root.publicKey, now: NOW });

before(async () => {
  g = await governedRegistry();
});

describe('registry rules found untested by mutation', () => {
  test('an update proposal cannot give an issuer the key of another active issuer (one key under two ids)', () => {
    const s = g.state;
    const { signatures: _s, ...bravo } = s.issuers.find((e) => e.id === 'bravo')!;
    const alphaKey = s.issuers.find((e) => e.id === 'alpha')!.publicKey;
    throwsCode(
      () =>
        applyProposal(s, proposalFor(s, { action: 'update', entry: { ...bravo, publicKey: alphaKey } }), {
          appliedAt: at(6),
        }),
      'REGISTRY_STEP_INVALID',
      /already registered under alpha/,
    );
    // A removed issuer's key stays its own too.
    const deltaKey = s.revoked.find((r) => r.id === 'delta')!.publicKey;
    throwsCode(
      () =>
        applyProposal(s, proposalFor(s, { action: 'update', entry: { ...bravo, publicKey: deltaKey } }), {
          appliedAt: at(6),
        }),
      'REGISTRY_STEP_INVALID',
      /already registered under delta/,
    );
  });

  test('a governance step must carry the sequence it takes in the chain', () => {
    assert.deepEqual(replayGovernance(g.doc.governance).failures, []);
    const steps = structuredClone(g.doc.governance);
    (steps[4] as { sequence: number }).sequence = 9; // the last step: no later prev depends on its hash
    const { failures } = replayGovernance(steps);
    assert.deepEqual(
      failures.map((f) => [f.rule, f.code, f.step]),
      [[2, 'REGISTRY_CHAIN_BROKEN', 5]],
    );
  });

  test('the genesis step takes sequence 1', () => {
    const genesis = g.doc.governance[0]!;
    assert.deepEqual(replayGovernance([genesis]).failures, []);
    const { failures } = replayGovernance([{ ...genesis, sequence: 2 } as GovernanceStep]);
    assert.deepEqual(
      failures.map((f) => [f.rule, f.code, f.step]),
      [[2, 'REGISTRY_CHAIN_BROKEN', 1]],
    );
  });

  test('a genesis step after the first is refused: the root key alone cannot add a step to the chain', async () => {
    const genesis = g.doc.governance[0]!;
    // The sequence and place of step 2: a step with no co-signature, no prev and no effect.
    const doc = await rawDocument(g.root, [genesis, { ...genesis, sequence: 2 } as GovernanceStep]);
    const r = await verify(doc);
    assert.equal(r.valid, false);
    assert.deepEqual(failureKeys(r), ['2/REGISTRY_CHAIN_BROKEN/2/-']);
  });

  test('verifyRegistry refuses a document whose updatedAt precedes a governance step it contains', async () => {
    assert.equal((await verify(g.doc)).valid, true);
    // Step 5 was applied at at(5); the root key re-dates the document to before it.
    const early = await forge(g.doc, g.root, (d) => {
      d.updatedAt = at(4).toISOString();
    });
    const r = await verify(early);
    assert.equal(r.valid, false);
    assert.deepEqual(failureKeys(r), ['2/REGISTRY_STEP_INVALID/5/-']);
  });
});

describe('registry document and proposal shapes found untested by mutation', () => {
  const invalid = (fn: () => unknown, pattern?: RegExp) => throwsCode(fn, 'REGISTRY_INVALID', pattern);
  const copy = (): RegistryDocument => structuredClone(g.doc);

  test('times are UTC "Z" only: an offset, even +00:00, is refused (the validator reads the digits as UTC)', () => {
    validateRegistryDocument(copy());
    for (const t of ['2025-01-01T00:05:00+00:00', '2025-01-01T02:05:00+02:00', '2025-01-01T00:05:00.000-00:00']) {
      const d = copy();
      d.updatedAt = t;
      invalid(() => validateRegistryDocument(d), /updatedAt/);
      invalid(() =>
        draftProposal({
          registry: g.state.registry,
          baseSequence: g.state.sequence,
          action: 'threshold',
          threshold: { required: 2 },
          expiresAt: t,
        }),
      );
    }
  });

  test('a root signature is exactly "ed25519:" and 86 base64url characters', () => {
    const d = copy();
    d.rootSignature = `${d.rootSignature}A`;
    invalid(() => validateRegistryDocument(d), /rootSignature/);
    const e = copy();
    e.rootSignature = `${e.rootSignature}AA`; // 66 bytes: also strict base64url
    invalid(() => validateRegistryDocument(e), /rootSignature/);
  });

  test('threshold numbers above the issuer limit are refused by shape', () => {
    for (const threshold of [
      { required: 2, total: 10_001 },
      { required: 10_001, total: 4 },
    ]) {
      const d = copy();
      d.threshold = threshold;
      invalid(() => validateRegistryDocument(d), /threshold/);
    }
  });

  test('an add or update proposal carries no threshold member', () => {
    const entry = structuredClone(g.state.issuers.find((e) => e.id === 'echo')!);
    const { signatures: _s, ...unsigned } = entry;
    for (const action of ['add', 'update'] as const) {
      const p = draftProposal({
        registry: g.state.registry,
        baseSequence: g.state.sequence,
        action,
        entry: unsigned,
        expiresAt: at(24 * 60),
      });
      invalid(() =>
        draftProposal({ ...p, action, entry: unsigned, threshold: { required: 2 }, expiresAt: at(24 * 60) }),
      );
    }
  });
});
