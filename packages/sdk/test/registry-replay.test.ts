// Co-signatures that admit an issuer are bound to one registry, one position in its history and a deadline
// (docs/registry.md, "Admission"). Before, an issuer entry's co-signatures covered the bare entry: the operator of
// registry R2, holding only R2's root key, could admit an issuer into R2 with the signatures R2's founders had made
// for R1 (or on a draft they abandoned). Every attack here is made with the root key alone, from signatures the
// co-signers really made — elsewhere or earlier.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as sdk from '../src/index.ts';
import {
  applyProposal,
  checkQuorum,
  createGenesis,
  parseRegistryDocument,
  verifyRegistry,
  type Proposal,
  type RegistryDocument,
  type RegistryState,
} from '../src/index.ts';
import {
  appendForgedStep,
  at,
  cosignProposal,
  entryFor,
  failureKeys,
  governedRegistry,
  makeOrgs,
  makeRoot,
  NOW,
  proposalFor,
  publish,
  rawSignEntry,
  rejectsCode,
  stateOf,
  throwsCode,
  type Governed,
  type Org,
  type Root,
} from './registry-fixtures.ts';

describe('co-signatures made for registry R1 admit nobody into registry R2', () => {
  // Two registries with the same founders (a consortium's registry and a staging copy, or another operator's).
  let orgs: Record<string, Org>;
  let root1: Root;
  let root2: Root;
  let r1: RegistryDocument;
  let r2: RegistryDocument;
  before(async () => {
    orgs = await makeOrgs('alpha', 'bravo', 'charlie', 'echo');
    [root1, root2] = await Promise.all([makeRoot(), makeRoot()]);
    const founders = [orgs.alpha!, orgs.bravo!, orgs.charlie!].map((x) => entryFor(x));
    [r1, r2] = await Promise.all(
      [root1, root2].map((root) =>
        createGenesis({ rootKey: root.privateKey, issuers: founders, threshold: 2, now: at(1) }),
      ),
    );
    assert.notEqual(r1.registry, r2.registry);
  });

  test("an entry co-signed by R2's founders (for R1) is refused in R2: REGISTRY_STEP_INVALID", async () => {
    // alpha and bravo co-signed echo's entry file for R1, the seed's way (bare entry bytes).
    const echo = await rawSignEntry(entryFor(orgs.echo!), [[orgs.alpha!], [orgs.bravo!]]);
    const s2 = stateOf(r2);
    // Nothing collects or counts co-signatures on an entry any more...
    await rejectsCode(() => checkQuorum(s2, echo as unknown as Proposal), 'REGISTRY_STEP_INVALID', /add proposal/);
    // ...and the step R2's operator can still write by hand, with R2's root key, does not verify.
    const doc = await appendForgedStep(r2, root2, { kind: 'admit', appliedAt: at(2).toISOString(), entry: echo });
    const r = await verifyRegistry(doc, { rootKey: root2.publicKey, now: NOW });
    assert.equal(r.valid, false);
    assert.deepEqual(failureKeys(r), ['2/REGISTRY_STEP_INVALID/2/echo']);
    assert.match(r.failures[0]!.message, /name no registry, sequence or deadline/);
    // The signatures themselves are genuine (the report says so): what is refused is that they are bound to nothing.
    assert.equal(r.steps[1]!.quorum!.text, 'signed by 2/2');
  });

  test('an add proposal co-signed for R1 admits echo into R1 and into nothing else', async () => {
    const s1 = stateOf(r1);
    const s2 = stateOf(r2);
    const add = await cosignProposal(proposalFor(s1, { action: 'add', entry: entryFor(orgs.echo!) }), [
      orgs.alpha!,
      orgs.bravo!,
    ]);
    // Control: in R1, where it was signed, it applies and verifies.
    const { state: next1 } = applyProposal(s1, add, { appliedAt: at(2) });
    const doc1 = await publish(next1, root1, 2);
    assert.equal((await verifyRegistry(doc1, { rootKey: root1.publicKey, now: NOW })).valid, true);

    // In R2: same co-signers, same threshold, same sequence — refused by the builder and by every verifier.
    assert.equal((await checkQuorum(s2, add)).met, true, 'the signatures are valid, quorum is not the question');
    throwsCode(() => applyProposal(s2, add, { appliedAt: at(2) }), 'REGISTRY_STEP_INVALID', /another registry/);
    const forged = await appendForgedStep(r2, root2, {
      kind: 'proposal',
      appliedAt: at(2).toISOString(),
      proposal: add,
    });
    const r = await verifyRegistry(forged, { rootKey: root2.publicKey, now: NOW });
    assert.deepEqual(failureKeys(r), ['2/REGISTRY_STEP_INVALID/2/echo']);

    // Nor as a bare entry (the form R1's co-signers never signed in this design, but older SDKs did).
    const legacy = await rawSignEntry(entryFor(orgs.echo!), [[orgs.alpha!], [orgs.bravo!]]);
    const asEntry = await appendForgedStep(r2, root2, { kind: 'admit', appliedAt: at(2).toISOString(), entry: legacy });
    assert.equal((await verifyRegistry(asEntry, { rootKey: root2.publicKey, now: NOW })).valid, false);
  });
});

describe('within one registry, an abandoned draft admits nobody later', () => {
  let g: Governed;
  let o: Record<string, Org>;
  let later: RegistryState; // one step after the draft was signed
  let laterDoc: RegistryDocument;
  before(async () => {
    g = await governedRegistry(); // sequence 5: alpha, bravo, charlie, echo; 3 of 4
    o = g.orgs;
    const lower = await cosignProposal(proposalFor(g.state, { action: 'threshold', threshold: { required: 2 } }), [
      o.alpha!,
      o.bravo!,
      o.charlie!,
    ]);
    ({ state: later } = applyProposal(g.state, lower, { appliedAt: at(7) }));
    laterDoc = await publish(later, g.root, 7);
  });

  test("a draft entry's co-signatures, collected at sequence 5 and dropped, do not admit it at sequence 7", async () => {
    // alpha, bravo and charlie co-signed foxtrot's entry file at sequence 5, then the consortium dropped it.
    const draft = await rawSignEntry(entryFor(o.foxtrot!), [[o.alpha!], [o.bravo!], [o.charlie!]]);
    const doc = await appendForgedStep(laterDoc, g.root, {
      kind: 'admit',
      appliedAt: at(8).toISOString(),
      entry: draft,
    });
    const r = await verifyRegistry(doc, { rootKey: g.root.publicKey, now: NOW });
    assert.deepEqual(failureKeys(r), ['2/REGISTRY_STEP_INVALID/7/foxtrot']);
    assert.match(r.failures[0]!.message, /abandoned draft/);
  });

  test('an add proposal signed at sequence 5 is stale at sequence 6 and dead after its deadline', async () => {
    const signers = [o.alpha!, o.bravo!, o.charlie!];
    const add = await cosignProposal(proposalFor(g.state, { action: 'add', entry: entryFor(o.foxtrot!) }), signers);
    throwsCode(() => applyProposal(later, add, { appliedAt: at(8) }), 'REGISTRY_STEP_INVALID', /made for sequence 5/);
    const stale = await appendForgedStep(laterDoc, g.root, {
      kind: 'proposal',
      appliedAt: at(8).toISOString(),
      proposal: add,
    });
    assert.deepEqual(failureKeys(await verifyRegistry(stale, { rootKey: g.root.publicKey, now: NOW })), [
      '2/REGISTRY_STEP_INVALID/7/foxtrot',
    ]);
    const short = await cosignProposal(
      proposalFor(g.state, { action: 'add', entry: entryFor(o.foxtrot!), expiresAt: at(6.5) }),
      signers,
    );
    throwsCode(() => applyProposal(g.state, short, { appliedAt: at(6.5) }), 'REGISTRY_STEP_INVALID', /expired/);
    // The bare entry the same signers could have signed instead is refused too.
    const draft = await rawSignEntry(entryFor(o.foxtrot!), [[o.alpha!], [o.bravo!], [o.charlie!]]);
    const doc = await appendForgedStep(laterDoc, g.root, {
      kind: 'admit',
      appliedAt: at(8).toISOString(),
      entry: draft,
    });
    assert.equal((await verifyRegistry(doc, { rootKey: g.root.publicKey, now: NOW })).valid, false);
  });
});

describe('compatibility', () => {
  test('a document written before, with an admit step, is read and reported, never valid', async () => {
    const g = await governedRegistry();
    const o = g.orgs;
    const foxtrot = await rawSignEntry(entryFor(o.foxtrot!), [[o.alpha!], [o.bravo!], [o.charlie!]]);
    const old = await appendForgedStep(g.doc, g.root, {
      kind: 'admit',
      appliedAt: at(6).toISOString(),
      entry: foxtrot,
    });
    // It parses (so `vouch registry list`, consumers and the server can say what is wrong with it)...
    const parsed = parseRegistryDocument(JSON.stringify(old), { source: 'registry.json' });
    const r = await verifyRegistry(parsed, { rootKey: g.root.publicKey, now: NOW });
    // ...and fails rule 2 at that step, naming the issuer and the way out.
    assert.equal(r.valid, false);
    assert.deepEqual(failureKeys(r), ['2/REGISTRY_STEP_INVALID/6/foxtrot']);
    assert.match(r.failures[0]!.message, /admitted only by an add proposal/);
    assert.deepEqual([r.steps[5]!.kind, r.steps[5]!.quorum!.text], ['admit', 'signed by 3/3']);
  });

  test('the SDK no longer makes or applies unbound entry co-signatures', () => {
    for (const name of ['signEntry', 'applyEntry', 'issuerEntrySigningBytes']) {
      assert.equal(name in sdk, false, `${name} is still exported`);
    }
  });
});
