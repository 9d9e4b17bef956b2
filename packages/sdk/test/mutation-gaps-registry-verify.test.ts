// verifyRegistry checks that no test could notice being dropped or weakened (found by mutation testing): each case
// fails with the mutation named beside it. The forgeries are what the holder of the root key alone can produce.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  applyProposal,
  createGenesis,
  governanceStepHash,
  registryIdOf,
  verifyRegistry,
  type GenesisStep,
  type RegistryDocument,
} from '../src/index.ts';
import {
  at,
  cosignProposal,
  entryFor,
  failureKeys,
  forge,
  governedRegistry,
  makeOrgs,
  makeRoot,
  NOW,
  proposalFor,
  publish,
  rejectsCode,
  stateOf,
  type Governed,
} from './registry-fixtures.ts';

let g: Governed;
const verify = (doc: RegistryDocument, extra: Partial<Parameters<typeof verifyRegistry>[1]> = {}) =>
  verifyRegistry(doc, { rootKey: g.root.publicKey, now: NOW, ...extra });

before(async () => {
  g = await governedRegistry();
});

describe('rule 2: appliedAt and updatedAt', () => {
  // Mutation: `appliedAtMs < lastAppliedAtMs` → `<=` (steps in the same millisecond refused).
  test('two steps applied in the same millisecond verify; a document signed in that millisecond too', async () => {
    const root = await makeRoot();
    const orgs = await makeOrgs('alpha', 'bravo', 'charlie', 'delta', 'echo');
    const { alpha, bravo, charlie, delta, echo } = orgs;
    const genesis = await createGenesis({
      rootKey: root.privateKey,
      issuers: [alpha!, bravo!, charlie!, delta!].map((o) => entryFor(o)),
      threshold: 2,
      now: at(1),
    });
    let state = stateOf(genesis);
    const add = await cosignProposal(proposalFor(state, { action: 'add', entry: entryFor(echo!) }), [alpha!, bravo!]);
    ({ state } = applyProposal(state, add, { appliedAt: at(2) }));
    const raise = await cosignProposal(proposalFor(state, { action: 'threshold', threshold: { required: 3 } }), [
      alpha!,
      bravo!,
    ]);
    ({ state } = applyProposal(state, raise, { appliedAt: at(2) }));
    const doc = await publish(state, root, 2); // updatedAt = appliedAt of both steps
    assert.equal(doc.updatedAt, at(2).toISOString());
    const r = await verifyRegistry(doc, { rootKey: root.publicKey, now: NOW });
    assert.equal(r.valid, true, failureKeys(r).join());
  });

  // Mutation: `lastAppliedAt > updatedAt` → `> updatedAt + 1` (one millisecond early passes).
  test('a document dated one millisecond before its last step is refused', async () => {
    const lastApplied = Date.parse(g.doc.governance.at(-1)!.appliedAt);
    const early = await forge(g.doc, g.root, (d) => {
      d.updatedAt = new Date(lastApplied - 1).toISOString();
    });
    assert.deepEqual(failureKeys(await verify(early)), ['2/REGISTRY_STEP_INVALID/5/-']);
    const same = await forge(g.doc, g.root, (d) => {
      d.updatedAt = new Date(lastApplied).toISOString();
    });
    assert.equal((await verify(same)).valid, true);
  });
});

describe('rule 3: the document lists issuers and revocations exactly as governance leaves them', () => {
  // Mutation: the "not sorted by id" comparison dropped.
  test('issuers out of id order are refused', async () => {
    const shuffled = await forge(g.doc, g.root, (d) => {
      d.issuers.reverse();
    });
    const r = await verify(shuffled);
    assert.deepEqual(failureKeys(r), ['3/REGISTRY_REPLAY_MISMATCH/-/-']);
    assert.match(r.failures[0]!.message, /not sorted by id/);
  });

  // Mutation: the "listed twice" check dropped (the document then failed only as unsorted).
  test('an issuer listed twice is named', async () => {
    const twice = await forge(g.doc, g.root, (d) => {
      d.issuers.splice(1, 0, structuredClone(d.issuers[0]!));
    });
    const r = await verify(twice);
    assert.deepEqual(failureKeys(r), ['3/REGISTRY_REPLAY_MISMATCH/-/alpha']);
    assert.match(r.failures[0]!.message, /issuer alpha is listed twice/);
  });

  // Mutation: the "missing from revoked" check dropped (the document then failed only as out of order, naming no one).
  test('a hidden revocation names the issuer', async () => {
    const hidden = await forge(g.doc, g.root, (d) => {
      d.revoked = [];
    });
    const r = await verify(hidden);
    assert.deepEqual(failureKeys(r), ['3/REGISTRY_REPLAY_MISMATCH/-/delta']);
    assert.match(r.failures[0]!.message, /revoked issuer delta is missing from revoked/);
  });

  // Mutation: the "removals in governance order" comparison dropped.
  test('revocations out of governance order are refused', async () => {
    const root = await makeRoot();
    const orgs = await makeOrgs('alpha', 'bravo', 'charlie', 'delta', 'echo');
    const { alpha, bravo, charlie, delta, echo } = orgs;
    const genesis = await createGenesis({
      rootKey: root.privateKey,
      issuers: [alpha!, bravo!, charlie!, delta!, echo!].map((o) => entryFor(o)),
      threshold: 2,
      now: at(1),
    });
    let state = stateOf(genesis);
    for (const [subject, minutes] of [
      ['echo', 2],
      ['delta', 3],
    ] as const) {
      const remove = await cosignProposal(proposalFor(state, { action: 'remove', subject, reason: 'left' }), [
        alpha!,
        bravo!,
      ]);
      ({ state } = applyProposal(state, remove, { appliedAt: at(minutes) }));
    }
    const doc = await publish(state, root, 4);
    assert.deepEqual(
      doc.revoked.map((r) => r.id),
      ['echo', 'delta'],
    );
    assert.equal((await verifyRegistry(doc, { rootKey: root.publicKey, now: NOW })).valid, true);
    const reordered = await forge(doc, root, (d) => {
      d.revoked.reverse();
    });
    const r = await verifyRegistry(reordered, { rootKey: root.publicKey, now: NOW });
    assert.deepEqual(failureKeys(r), ['3/REGISTRY_REPLAY_MISMATCH/-/-']);
    assert.match(r.failures[0]!.message, /not exactly the removals in governance order/);
  });
});

describe('the registry id: named by the genesis step and by the document', () => {
  // Mutations: `doc.registry !== ledger.registry` dropped; the genesis id-is-the-thumbprint check dropped. Each
  // forgery below is caught by one more check as well, so the report must name both failures.
  test("a genesis naming another registry id than its root key's thumbprint", async () => {
    const other = registryIdOf((await makeRoot()).publicKey);
    const doc = await forge(g.docs[1]!, g.root, (d) => {
      (d.governance[0] as GenesisStep).registry = other;
    });
    const r = await verify(doc);
    assert.deepEqual(failureKeys(r), ['1/REGISTRY_ROOT_MISMATCH/1/-', '3/REGISTRY_REPLAY_MISMATCH/-/-']);
    assert.match(r.failures[0]!.message, /genesis registry id is not the thumbprint of its root key/);
    assert.match(r.failures[1]!.message, /registry is not the id named by the genesis step/);
  });

  test('a document naming another registry than its genesis step', async () => {
    const other = registryIdOf((await makeRoot()).publicKey);
    const doc = await forge(g.docs[1]!, g.root, (d) => {
      d.registry = other;
    });
    const r = await verify(doc);
    assert.deepEqual(failureKeys(r), ['1/REGISTRY_ROOT_MISMATCH/-/-', '3/REGISTRY_REPLAY_MISMATCH/-/-']);
    assert.match(r.failures[1]!.message, /registry is not the id named by the genesis step/);
  });
});

describe('rule 4: lastSeen', () => {
  const seen = (doc: RegistryDocument) => ({
    sequence: doc.sequence,
    chainHash: governanceStepHash(doc.governance.at(-1)!),
  });

  // Mutation: the `sequence < lastSeen.sequence` test dropped (the chain comparison then failed it, saying less).
  test('a lower sequence is reported as such', async () => {
    const r = await verify(g.docs[3]!, { lastSeen: seen(g.docs[4]!) });
    assert.match(r.failures[0]!.message, /sequence 3 is lower than the sequence 4 already seen/);
  });

  // Mutation: a step the chain does not hold taken as the one seen (`hashes[lastSeen.sequence - 1] ?? chainHash`).
  test('a document that claims the sequence seen but holds a shorter chain is a rollback', async () => {
    const short = await forge(g.docs[4]!, g.root, (d) => {
      d.sequence = 5;
    });
    const r = await verify(short, { lastSeen: seen(g.docs[5]!) });
    assert.deepEqual(failureKeys(r), ['3/REGISTRY_REPLAY_MISMATCH/-/-', '4/REGISTRY_ROLLBACK/5/-']);
    assert.match(r.failures[1]!.message, /same sequence 5 as already seen but a different chain/);
  });

  // Mutations: the chainHash pattern dropped; the `sequence < 1` bound dropped.
  test('lastSeen needs a sequence of at least 1 and 64 lowercase hex digits', async () => {
    const good = seen(g.doc);
    assert.equal((await verify(g.doc, { lastSeen: good })).valid, true);
    for (const lastSeen of [
      { ...good, sequence: 0 },
      { ...good, sequence: -1 },
      { ...good, chainHash: good.chainHash.toUpperCase() },
      { ...good, chainHash: good.chainHash.slice(1) },
      { ...good, chainHash: `${good.chainHash}0` },
    ]) {
      await rejectsCode(() => verify(g.doc, { lastSeen }), 'INVALID_ARGUMENT', /lastSeen/);
    }
  });
});
