// REGISTRY_LIMITS bound what a document may hold (10,000 active issuers, 100,000 governance steps), and the validator
// refuses a document past them. applyProposal must refuse the step that would go past them: it made the step, and
// the signed document then threw REGISTRY_INVALID in verifyRegistry (the authority's own check after applying).
import { test } from 'node:test';
import { applyGenesis, applyProposal, REGISTRY_LIMITS, verifyRegistry, type IssuerEntry } from '../src/index.ts';
import {
  at,
  cosignProposal,
  entryFor,
  makeOrg,
  makeRoot,
  proposalFor,
  publish,
  throwsCode,
} from './registry-fixtures.ts';

test('an add proposal past REGISTRY_LIMITS.maxIssuers active issuers is refused', { timeout: 120_000 }, async () => {
  const root = await makeRoot();
  const founders = await Promise.all(
    Array.from({ length: REGISTRY_LIMITS.maxIssuers }, (_, i) => makeOrg(`issuer-${i}`)),
  );
  const issuers: IssuerEntry[] = founders.map((o) => entryFor(o));
  const { state } = applyGenesis({ rootKey: root.publicKey, issuers, threshold: 2, appliedAt: at(1) });
  const extra = await makeOrg('one-too-many');
  const add = await cosignProposal(proposalFor(state, { action: 'add', entry: entryFor(extra) }), [
    founders[0]!,
    founders[1]!,
  ]);
  throwsCode(
    () => applyProposal(state, add, { appliedAt: at(2) }),
    'REGISTRY_STEP_INVALID',
    /at most 10000 active issuers/,
  );
  // What verification says of a registry at the limit: valid (the bound is inclusive).
  const report = await verifyRegistry(await publish(state, root, 3), { rootKey: root.publicKey, now: at(4) });
  if (!report.valid) throw new Error(JSON.stringify(report.failures[0]));
});

test('a step past REGISTRY_LIMITS.maxSteps governance steps is refused', async () => {
  const root = await makeRoot();
  const orgs = await Promise.all(['a', 'b', 'c'].map((id) => makeOrg(id)));
  const genesis = applyGenesis({
    rootKey: root.publicKey,
    issuers: orgs.map((o) => entryFor(o)),
    threshold: 2,
    appliedAt: at(1),
  });
  // A state at the limit (its steps are not looked at again: applyProposal is pure over the state it is given).
  const full = {
    ...genesis.state,
    sequence: REGISTRY_LIMITS.maxSteps,
    governance: new Array(REGISTRY_LIMITS.maxSteps).fill(genesis.step),
  };
  const raise = await cosignProposal(proposalFor(full, { action: 'threshold', threshold: { required: 2 } }), [
    orgs[0]!,
    orgs[1]!,
  ]);
  throwsCode(
    () => applyProposal(full, raise, { appliedAt: at(2) }),
    'REGISTRY_STEP_INVALID',
    /at most 100000 governance steps/,
  );
});

test('a genesis with more than REGISTRY_LIMITS.maxIssuers founders is refused', async () => {
  // One key for all: the count is refused first, whatever else is wrong (the message names both).
  const org = await makeOrg('founder');
  const root = await makeRoot();
  const issuers = Array.from({ length: REGISTRY_LIMITS.maxIssuers + 1 }, (_, i) =>
    entryFor({ ...org, id: `issuer-${i}` }),
  );
  throwsCode(
    () => applyGenesis({ rootKey: root.publicKey, issuers, threshold: 2, appliedAt: at(1) }),
    'REGISTRY_STEP_INVALID',
    /the genesis step has too many issuers/,
  );
});
