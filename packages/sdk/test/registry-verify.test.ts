// verifyRegistry, rule by rule (docs/registry.md "Verification"). Every forgery here is something the holder of the
// root key alone can produce: the point of the registry is that none of them verifies.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  checkIssuer,
  formatPublicKey,
  governanceStepHash,
  parsePublicKey,
  proposalSigningBytes,
  registryIdOf,
  verifyRegistry,
  type GenesisStep,
  type IssuerEntry,
  type ProposalStep,
  type RegistryDocument,
  type RegistryState,
} from '../src/index.ts';
import {
  appendForgedStep,
  at,
  entryFor,
  failureKeys,
  forge,
  governedRegistry,
  makeOrg,
  makeRoot,
  NOW,
  proposalFor,
  rawDocument,
  rawSignEntry,
  rawSignProposal,
  rejectsCode,
  resign,
  stateOf,
  type Governed,
  type Org,
} from './registry-fixtures.ts';

let g: Governed;
let o: Record<string, Org>;
const verify = (doc: RegistryDocument, extra: Partial<Parameters<typeof verifyRegistry>[1]> = {}) =>
  verifyRegistry(doc, { rootKey: g.root.publicKey, now: NOW, ...extra });

before(async () => {
  g = await governedRegistry();
  o = g.orgs;
});

describe('a registry governed by quorum verifies', () => {
  test('valid, with "signed by n/m" per entry and per step, and the chain hash to remember', async () => {
    const r = await verify(g.doc);
    assert.deepEqual(r.failures, []);
    assert.equal(r.valid, true);
    assert.equal(r.sequence, 5);
    assert.equal(r.registry, registryIdOf(g.root.publicKey));
    assert.equal(r.chainHash, governanceStepHash(g.doc.governance[4]!));
    assert.equal(r.checkedAt, NOW.toISOString());
    assert.deepEqual(
      r.entries.map((e) => [e.id, e.step, e.text]),
      [
        ['alpha', 1, 'genesis (root key)'],
        ['bravo', 1, 'genesis (root key)'],
        ['charlie', 1, 'genesis (root key)'],
        ['echo', 5, 'signed by 3/3'],
      ],
    );
    assert.deepEqual(
      r.steps.map((s) => [s.sequence, s.kind, s.action ?? null, s.subject ?? null, s.quorum?.text ?? null]),
      [
        [1, 'genesis', null, null, null],
        [2, 'proposal', 'add', 'echo', 'signed by 2/2'],
        [3, 'proposal', 'threshold', null, 'signed by 3/2'],
        [4, 'proposal', 'remove', 'delta', 'signed by 3/3'],
        [5, 'proposal', 'update', 'echo', 'signed by 3/3'],
      ],
    );
    assert.deepEqual(r.steps[3]!.quorum!.signers, ['alpha', 'bravo', 'charlie']);
  });

  test('every intermediate document verifies too (later removals never invalidate earlier admissions)', async () => {
    for (const n of [1, 2, 3, 4, 5]) {
      const r = await verify(g.docs[n]!);
      assert.equal(r.valid, true, `sequence ${n}: ${failureKeys(r).join(', ')}`);
    }
    // echo was admitted at step 2 with delta's co-signature; delta is removed at step 4; echo's step still counts
    // delta, because quorum is judged by the issuers active at that step.
    const r = await verify(g.docs[4]!);
    assert.deepEqual(r.entries.find((e) => e.id === 'echo')!.signers, ['alpha', 'delta']);
  });

  test('the pinned root key may be given as an SDK key, PEM or JWK', async () => {
    const key = parsePublicKey(g.root.publicKey);
    for (const rootKey of [key, formatPublicKey(key, 'pem'), JSON.stringify(formatPublicKey(key, 'jwk'))]) {
      assert.equal((await verify(g.doc, { rootKey })).valid, true);
    }
  });

  test('checkIssuer: active with its current entry, revoked with the record, unknown', () => {
    const echo = checkIssuer(g.doc, 'echo');
    assert.equal(echo.status, 'active');
    assert.equal(echo.status === 'active' && echo.issuer.endpoint, 'https://v2.credentials.echo.example');
    const delta = checkIssuer(g.doc, 'delta');
    assert.equal(delta.status, 'revoked');
    assert.deepEqual(delta.status === 'revoked' && delta.revoked, {
      id: 'delta',
      publicKey: o.delta!.publicKey,
      revokedAt: at(4).toISOString(),
      reason: 'left the consortium',
    });
    assert.deepEqual(checkIssuer(g.doc, 'zulu'), { status: 'unknown' });
    assert.deepEqual(checkIssuer(g.doc, '__proto__'), { status: 'unknown' });
  });
});

describe('rule 1: root signature and expiry', () => {
  test('another root key: signature invalid, and nothing else is evaluated', async () => {
    const other = await makeRoot();
    const r = await verify(g.doc, { rootKey: other.publicKey });
    assert.equal(r.valid, false);
    assert.deepEqual(failureKeys(r), ['1/REGISTRY_SIGNATURE_INVALID/-/-']);
    assert.deepEqual([r.steps, r.entries, r.chainHash], [[], [], undefined]);
  });

  test('any change after signing breaks the root signature', async () => {
    const copy = structuredClone(g.doc);
    copy.issuers[0]!.metadata.name = 'Alpha Evil Inc.';
    assert.deepEqual(failureKeys(await verify(copy)), ['1/REGISTRY_SIGNATURE_INVALID/-/-']);
  });

  test('expired at expiresAt (one reference time, given as a Date or epoch ms)', async () => {
    const expiry = Date.parse(g.doc.expiresAt);
    assert.equal((await verify(g.doc, { now: expiry - 1 })).valid, true);
    const r = await verify(g.doc, { now: new Date(expiry) });
    assert.deepEqual(failureKeys(r), ['1/REGISTRY_EXPIRED/-/-']);
    assert.equal(r.checkedAt, new Date(expiry).toISOString());
  });

  test('a document signed by the pinned key but rooted in another key', async () => {
    const stranger = await makeRoot();
    const r = await verify(
      await forge(g.doc, g.root, (d) => {
        (d.governance[0] as GenesisStep).rootKey = stranger.publicKey;
        (d.governance[0] as GenesisStep).registry = registryIdOf(stranger.publicKey);
        d.registry = registryIdOf(stranger.publicKey);
      }),
    );
    const keys = failureKeys(r);
    assert.ok(keys.includes('1/REGISTRY_ROOT_MISMATCH/-/-'), keys.join());
    assert.ok(keys.includes('1/REGISTRY_ROOT_MISMATCH/1/-'), keys.join());
  });
});

describe('rule 2: chain and per-step quorum over distinct active issuers', () => {
  // State after step 5: alpha, bravo, charlie, echo active; delta revoked; 3 required. foxtrot is a newcomer.
  async function admitFoxtrot(signers: [Org, string?][]) {
    const proposal = await rawSignProposal(
      proposalFor(g.state, { action: 'add', entry: entryFor(o.foxtrot!) }),
      signers,
    );
    return verify(
      await appendForgedStep(g.doc, g.root, { kind: 'proposal', appliedAt: at(6).toISOString(), proposal }),
    );
  }

  test('control: three distinct active co-signers admit foxtrot', async () => {
    const r = await admitFoxtrot([[o.alpha!], [o.bravo!], [o.charlie!]]);
    assert.equal(r.valid, true, failureKeys(r).join());
    assert.equal(r.entries.find((e) => e.id === 'foxtrot')!.text, 'signed by 3/3');
  });

  test('one signature short of quorum', async () => {
    const r = await admitFoxtrot([[o.alpha!], [o.bravo!]]);
    assert.deepEqual(failureKeys(r), ['2/QUORUM_NOT_MET/6/foxtrot']);
    assert.match(r.failures[0]!.message, /signed by 2\/3/);
  });

  test('one issuer signing twice counts once', async () => {
    const r = await admitFoxtrot([[o.alpha!], [o.alpha!], [o.bravo!]]);
    assert.deepEqual(failureKeys(r), ['2/QUORUM_NOT_MET/6/foxtrot']);
    assert.deepEqual(r.steps[5]!.quorum!.ignored, [{ issuerId: 'alpha', reason: 'duplicate-signer' }]);
    assert.equal(r.steps[5]!.quorum!.text, 'signed by 2/3');
  });

  test('an issuer co-signing itself is not counted', async () => {
    const r = await admitFoxtrot([[o.foxtrot!], [o.alpha!], [o.bravo!]]);
    assert.deepEqual(failureKeys(r), ['2/QUORUM_NOT_MET/6/foxtrot']);
    assert.deepEqual(r.steps[5]!.quorum!.ignored, [{ issuerId: 'foxtrot', reason: 'subject' }]);

    // The same for an active issuer's own update.
    const { signatures: _s, ...echo } = g.state.issuers.find((e) => e.id === 'echo')!;
    const update = await rawSignProposal(
      proposalFor(g.state, { action: 'update', entry: { ...echo, endpoint: 'https://evil.example' } }),
      [[o.echo!], [o.alpha!], [o.bravo!]],
    );
    const u = await verify(
      await appendForgedStep(g.doc, g.root, { kind: 'proposal', appliedAt: at(6).toISOString(), proposal: update }),
    );
    assert.deepEqual(failureKeys(u), ['2/QUORUM_NOT_MET/6/echo']);
    assert.match(u.failures[0]!.message, /echo: subject/);
  });

  test('a revoked signer is not counted', async () => {
    const r = await admitFoxtrot([[o.alpha!], [o.bravo!], [o.delta!]]);
    assert.deepEqual(failureKeys(r), ['2/QUORUM_NOT_MET/6/foxtrot']);
    assert.deepEqual(r.steps[5]!.quorum!.ignored, [{ issuerId: 'delta', reason: 'revoked' }]);
  });

  test('a signer absent from the registry is not counted', async () => {
    const zulu = await makeOrg('zulu');
    const r = await admitFoxtrot([[o.alpha!], [o.bravo!], [zulu]]);
    assert.deepEqual(failureKeys(r), ['2/QUORUM_NOT_MET/6/foxtrot']);
    assert.deepEqual(r.steps[5]!.quorum!.ignored, [{ issuerId: 'zulu', reason: 'unknown' }]);
  });

  test('a signature by another key under an active id does not verify', async () => {
    const r = await admitFoxtrot([[o.alpha!], [o.bravo!], [o.foxtrot!, 'charlie']]);
    assert.deepEqual(failureKeys(r), ['2/QUORUM_NOT_MET/6/foxtrot']);
    assert.deepEqual(r.steps[5]!.quorum!.ignored, [{ issuerId: 'charlie', reason: 'invalid-signature' }]);
  });

  test('one key under two ids counts once, and is refused where it enters', async () => {
    const root = await makeRoot();
    const [a, b, c, f] = await Promise.all(['alpha', 'bravo', 'charlie', 'foxtrot'].map(makeOrg));
    const twin: Org = { ...a!, id: 'alpha-twin' };
    const genesis: GenesisStep = {
      sequence: 1,
      kind: 'genesis',
      appliedAt: at(1).toISOString(),
      registry: registryIdOf(root.publicKey),
      rootKey: root.publicKey,
      threshold: { required: 2 },
      issuers: [a!, twin, b!, c!].map((x) => entryFor(x)).sort((x, y) => (x.id < y.id ? -1 : 1)),
    };
    const doc = await rawDocument(root, [genesis]);
    const at1 = { registry: doc.registry, sequence: 1 } as RegistryState;
    const add = await rawSignProposal(proposalFor(at1, { action: 'add', entry: entryFor(f!) }), [[a!], [twin]]);
    const r = await verifyRegistry(
      await appendForgedStep(doc, root, { kind: 'proposal', appliedAt: at(2).toISOString(), proposal: add }),
      { rootKey: root.publicKey, now: NOW },
    );
    assert.deepEqual(failureKeys(r), ['2/REGISTRY_STEP_INVALID/1/alpha-twin', '2/QUORUM_NOT_MET/2/foxtrot']);
    assert.deepEqual(r.steps[1]!.quorum!.ignored, [{ issuerId: 'alpha-twin', reason: 'duplicate-key' }]);

    // An admission that reuses an active issuer's key under a new id.
    const clone: Org = { ...o.alpha!, id: 'alpha-clone' };
    const cloned = await rawSignProposal(proposalFor(g.state, { action: 'add', entry: entryFor(clone) }), [
      [o.bravo!],
      [o.charlie!],
      [o.echo!],
    ]);
    const c2 = await verify(
      await appendForgedStep(g.doc, g.root, { kind: 'proposal', appliedAt: at(6).toISOString(), proposal: cloned }),
    );
    assert.deepEqual(failureKeys(c2), ['2/REGISTRY_STEP_INVALID/6/alpha-clone']);
    assert.match(c2.failures[0]!.message, /already registered under alpha: one key under two ids/);
  });

  test('a broken chain: an altered step, a dropped step, a step out of order', async () => {
    const altered = await forge(g.doc, g.root, (d) => {
      (d.governance[2] as { appliedAt: string }).appliedAt = at(3.5).toISOString();
    });
    const a = failureKeys(await verify(altered));
    assert.ok(a.includes('2/REGISTRY_CHAIN_BROKEN/4/-'), a.join());

    const dropped = await forge(g.doc, g.root, (d) => void d.governance.splice(2, 1));
    const b = failureKeys(await verify(dropped));
    assert.ok(b.includes('2/REGISTRY_CHAIN_BROKEN/3/-'), b.join());

    const swapped = await forge(g.doc, g.root, (d) => {
      [d.governance[3], d.governance[4]] = [d.governance[4]!, d.governance[3]!];
    });
    const c = failureKeys(await verify(swapped));
    assert.ok(c.includes('2/REGISTRY_CHAIN_BROKEN/4/-'), c.join());

    const noGenesis = await forge(g.doc, g.root, (d) => void d.governance.shift());
    assert.deepEqual(failureKeys(await verify(noGenesis)).slice(0, 1), ['2/REGISTRY_CHAIN_BROKEN/1/-']);
  });

  test('a proposal applies only at its baseSequence, to its registry, before it expires', async () => {
    const signers: [Org][] = [[o.alpha!], [o.bravo!], [o.charlie!]];
    const stale = await rawSignProposal(
      proposalFor(g.state, { action: 'threshold', threshold: { required: 2 }, baseSequence: 4 }),
      signers,
    );
    const replayed = async (proposal: typeof stale, appliedAt = at(6)) =>
      failureKeys(
        await verify(
          await appendForgedStep(g.doc, g.root, { kind: 'proposal', appliedAt: appliedAt.toISOString(), proposal }),
        ),
      );
    assert.deepEqual(await replayed(stale), ['2/REGISTRY_STEP_INVALID/6/-']);

    const foreign = await rawSignProposal(
      { ...proposalFor(g.state, { action: 'threshold', threshold: { required: 2 } }), registry: 'x'.repeat(43) },
      signers,
    );
    assert.deepEqual(await replayed(foreign), ['2/REGISTRY_STEP_INVALID/6/-']);

    const late = await rawSignProposal(
      proposalFor(g.state, { action: 'threshold', threshold: { required: 2 }, expiresAt: at(6) }),
      signers,
    );
    assert.deepEqual(await replayed(late, at(6)), ['2/REGISTRY_STEP_INVALID/6/-']);
    assert.deepEqual(await replayed(late, at(5.5)), []);
  });

  test('a removed issuer cannot come back through its old admission (only through an add proposal)', async () => {
    const old = g.doc.governance[0] as GenesisStep;
    const deltaEntry = old.issuers.find((e) => e.id === 'delta')!;
    const again = await rawSignEntry(deltaEntry, [[o.alpha!], [o.bravo!], [o.charlie!]]);
    const keys = failureKeys(
      await verify(
        await appendForgedStep(g.doc, g.root, { kind: 'admit', appliedAt: at(6).toISOString(), entry: again }),
      ),
    );
    // Refused twice over: an admit step at all (unbound co-signatures), and an id registered before.
    assert.deepEqual(keys, ['2/REGISTRY_STEP_INVALID/6/delta', '2/REGISTRY_STEP_INVALID/6/delta']);
  });
});

describe('rule 3: the document is exactly what governance replays to', () => {
  test('a tampered nested metadata field: the seed canonicalization misses it, RFC 8785 does not', async () => {
    // What co-signers of echo's admission signed at step 2, and the same entry with metadata.name changed.
    const step2 = g.doc.governance[1] as ProposalStep;
    const signed = { ...step2.proposal.entry!, signatures: [] } as IssuerEntry;
    const tampered: IssuerEntry = structuredClone(signed);
    tampered.metadata.name = 'Echo (now owned by Mallory)';
    const seed = (e: IssuerEntry) => {
      const { signatures: _s, ...payload } = e;
      return JSON.stringify(payload, Object.keys(payload).sort());
    };
    assert.equal(seed(tampered), seed(signed), 'the seed signs the same bytes for both: metadata.* is dropped');
    assert.match(seed(signed), /"metadata":\{\}/);
    const { signatures: _t, ...tamperedEntry } = tampered;
    assert.notDeepEqual(
      proposalSigningBytes({ ...step2.proposal, entry: tamperedEntry }),
      proposalSigningBytes(step2.proposal),
    );

    // The root key alters the listed entry only: replay disagrees.
    const listed = await forge(g.doc, g.root, (d) => {
      d.issuers.find((e) => e.id === 'alpha')!.metadata.contact = 'mallory@evil.example';
    });
    assert.deepEqual(failureKeys(await verify(listed)), ['3/REGISTRY_REPLAY_MISMATCH/1/alpha']);

    // The root key alters the admission step too (and the listing, consistently): the co-signatures no longer verify.
    const deep = await forge(g.docs[2]!, g.root, (d) => {
      (d.governance[1] as ProposalStep).proposal.entry!.metadata.name = 'Echo (now owned by Mallory)';
      d.issuers.find((e) => e.id === 'echo')!.metadata.name = 'Echo (now owned by Mallory)';
    });
    const r = await verify(deep);
    assert.deepEqual(failureKeys(r), ['2/QUORUM_NOT_MET/2/echo']);
    assert.deepEqual(
      r.steps[1]!.quorum!.ignored.map((i) => i.reason),
      ['invalid-signature', 'invalid-signature'],
    );
  });

  test('an issuer dropped by the root key alone', async () => {
    const listed = await forge(g.doc, g.root, (d) => {
      d.issuers = d.issuers.filter((e) => e.id !== 'bravo');
      d.threshold.total = 3;
    });
    const keys = failureKeys(await verify(listed));
    assert.deepEqual(keys, [
      '3/REGISTRY_REPLAY_MISMATCH/1/bravo',
      '3/REGISTRY_REPLAY_MISMATCH/-/-',
      '5/REGISTRY_THRESHOLD_INVALID/-/-',
    ]);

    // ... or through a removal step nobody co-signed.
    const unsigned = proposalFor(g.state, { action: 'remove', subject: 'bravo', reason: 'operator says so' });
    const step = await appendForgedStep(g.doc, g.root, {
      kind: 'proposal',
      appliedAt: at(6).toISOString(),
      proposal: unsigned,
    });
    const r = await verify(step);
    assert.ok(failureKeys(r).includes('2/QUORUM_NOT_MET/6/bravo'), failureKeys(r).join());
    assert.match(r.failures.find((f) => f.code === 'QUORUM_NOT_MET')!.message, /signed by 0\/3/);
  });

  test('an issuer added by the root key alone', async () => {
    const mallory = await makeOrg('mallory');
    const listed = await forge(g.doc, g.root, (d) => {
      d.issuers.push(entryFor(mallory));
      d.threshold.total = 5;
    });
    const keys = failureKeys(await verify(listed));
    assert.deepEqual(keys, ['3/REGISTRY_REPLAY_MISMATCH/-/mallory', '3/REGISTRY_REPLAY_MISMATCH/-/-']);

    const revived = await forge(g.doc, g.root, (d) => {
      d.issuers.push((d.governance[0] as GenesisStep).issuers.find((e) => e.id === 'delta')!);
      d.issuers.sort((x, y) => (x.id < y.id ? -1 : 1));
    });
    const rk = (await verify(revived)).failures.find((f) => f.issuerId === 'delta')!;
    assert.match(rk.message, /was removed by governance: added without a quorum/);

    const step = await appendForgedStep(g.doc, g.root, {
      kind: 'proposal',
      appliedAt: at(6).toISOString(),
      proposal: proposalFor(g.state, { action: 'add', entry: entryFor(mallory) }),
    });
    assert.deepEqual(failureKeys(await verify(step)), ['2/QUORUM_NOT_MET/6/mallory']);
  });

  test('a threshold lowered by the root key alone', async () => {
    const listed = await forge(g.doc, g.root, (d) => void (d.threshold.required = 2));
    assert.deepEqual(failureKeys(await verify(listed)), ['3/REGISTRY_REPLAY_MISMATCH/-/-']);

    const step = await appendForgedStep(g.doc, g.root, {
      kind: 'proposal',
      appliedAt: at(6).toISOString(),
      proposal: proposalFor(g.state, { action: 'threshold', threshold: { required: 2 } }),
    });
    const r = await verify(step);
    assert.deepEqual(failureKeys(r), ['2/QUORUM_NOT_MET/6/-']);
    assert.match(r.failures[0]!.message, /threshold is signed by 0\/3/);
  });

  test('a revocation hidden or invented by the root key alone', async () => {
    const hidden = await forge(g.doc, g.root, (d) => void (d.revoked = []));
    assert.deepEqual(failureKeys(await verify(hidden)), ['3/REGISTRY_REPLAY_MISMATCH/-/delta']);
    const reason = await forge(g.doc, g.root, (d) => void (d.revoked[0]!.reason = 'never mind'));
    assert.deepEqual(failureKeys(await verify(reason)), ['3/REGISTRY_REPLAY_MISMATCH/-/delta']);
    const sequence = await forge(g.doc, g.root, (d) => void (d.sequence = 9));
    assert.deepEqual(failureKeys(await verify(sequence)), ['3/REGISTRY_REPLAY_MISMATCH/-/-']);
  });
});

describe('rule 4: rollback', () => {
  const seen = (doc: RegistryDocument) => ({
    sequence: doc.sequence,
    chainHash: governanceStepHash(doc.governance.at(-1)!),
  });

  test('a lower sequence than already seen', async () => {
    const r = await verify(g.docs[3]!, { lastSeen: seen(g.docs[4]!) });
    assert.deepEqual(failureKeys(r), ['4/REGISTRY_ROLLBACK/3/-']);
  });

  test('the same sequence with a different chain', async () => {
    // Two different step 5s on the same step 4: co-signed, each valid on its own.
    const other = await rawSignProposal(
      proposalFor(stateOf(g.docs[4]!), { action: 'threshold', threshold: { required: 2 } }),
      [[o.alpha!], [o.bravo!], [o.charlie!]],
    );
    const fork = await appendForgedStep(g.docs[4]!, g.root, {
      kind: 'proposal',
      appliedAt: at(5).toISOString(),
      proposal: other,
    });
    assert.equal((await verify(fork)).valid, true);
    const r = await verify(fork, { lastSeen: seen(g.doc) });
    assert.deepEqual(failureKeys(r), ['4/REGISTRY_ROLLBACK/5/-']);
    assert.match(r.failures[0]!.message, /same sequence 5 as already seen but a different chain/);
  });

  test('a higher sequence whose history differs from what was seen', async () => {
    // From step 2, another valid history: step 3 removes delta instead of raising the threshold, step 4 lowers nothing.
    const state2 = stateOf(g.docs[2]!);
    const remove = await rawSignProposal(
      proposalFor(state2, { action: 'remove', subject: 'delta', reason: 'another history' }),
      [[o.alpha!], [o.bravo!]],
    );
    const three = await appendForgedStep(g.docs[2]!, g.root, {
      kind: 'proposal',
      appliedAt: at(3).toISOString(),
      proposal: remove,
    });
    const update = await rawSignProposal(
      proposalFor(stateOf(three), {
        action: 'update',
        entry: { ...entryFor(o.echo!), endpoint: 'https://elsewhere.example' },
      }),
      [[o.alpha!], [o.bravo!]],
    );
    const four = await appendForgedStep(three, g.root, {
      kind: 'proposal',
      appliedAt: at(4).toISOString(),
      proposal: update,
    });
    assert.equal((await verify(four)).valid, true, 'valid on its own');
    const r = await verify(four, { lastSeen: seen(g.docs[3]!) });
    assert.deepEqual(failureKeys(r), ['4/REGISTRY_ROLLBACK/4/-']);
    assert.match(r.failures[0]!.message, /history up to sequence 3 differs/);
  });

  test('the same chain re-signed later, and a chain that extends the one seen, are fine', async () => {
    const renewed = await resign({ ...g.doc, updatedAt: at(90).toISOString() }, g.root);
    const r = await verify(renewed, { lastSeen: seen(g.doc), now: at(95) });
    assert.equal(r.valid, true, failureKeys(r).join());
    assert.equal((await verify(g.doc, { lastSeen: seen(g.docs[2]!) })).valid, true);
    assert.deepEqual(
      { sequence: r.sequence, chainHash: r.chainHash },
      seen(g.doc),
      'the report gives the next lastSeen',
    );
  });

  test('lastSeen is checked', async () => {
    await rejectsCode(() => verify(g.doc, { lastSeen: { sequence: 0, chainHash: 'ab' } }), 'INVALID_ARGUMENT');
  });
});

describe('rule 5: threshold bounds', () => {
  test('a genesis with threshold 1, or with threshold equal to the number of issuers', async () => {
    for (const required of [1, 3]) {
      const root = await makeRoot();
      const orgs = await Promise.all(['alpha', 'bravo', 'charlie'].map(makeOrg));
      const genesis: GenesisStep = {
        sequence: 1,
        kind: 'genesis',
        appliedAt: at(1).toISOString(),
        registry: registryIdOf(root.publicKey),
        rootKey: root.publicKey,
        threshold: { required },
        issuers: orgs.map((x) => entryFor(x)),
      };
      const r = await verifyRegistry(await rawDocument(root, [genesis]), { rootKey: root.publicKey, now: NOW });
      assert.deepEqual(failureKeys(r), ['5/REGISTRY_THRESHOLD_INVALID/1/-', '5/REGISTRY_THRESHOLD_INVALID/-/-']);
    }
  });

  test('a removal that would leave a quorum needing every remaining issuer', async () => {
    const remove = await rawSignProposal(proposalFor(g.state, { action: 'remove', subject: 'bravo', reason: 'test' }), [
      [o.alpha!],
      [o.charlie!],
      [o.echo!],
    ]);
    const r = await verify(
      await appendForgedStep(g.doc, g.root, { kind: 'proposal', appliedAt: at(6).toISOString(), proposal: remove }),
    );
    assert.deepEqual(failureKeys(r), ['5/REGISTRY_THRESHOLD_INVALID/6/bravo', '5/REGISTRY_THRESHOLD_INVALID/-/-']);
    assert.match(r.failures[0]!.message, /threshold 3 of 3 active issuers/);
  });
});

describe('input', () => {
  test('a malformed document throws REGISTRY_INVALID naming the field; options are checked', async () => {
    const bad = structuredClone(g.doc) as unknown as { issuers: { metadata: { url: string } }[] };
    bad.issuers[1]!.metadata.url = 'ftp://bravo.example';
    await rejectsCode(
      () => verify(bad as unknown as RegistryDocument),
      'REGISTRY_INVALID',
      /^issuers\[1\]\.metadata\.url: /,
    );
    await rejectsCode(() => verifyRegistry(g.doc, {} as never), 'INVALID_ARGUMENT');
    await rejectsCode(() => verify(g.doc, { now: Number.NaN }), 'INVALID_ARGUMENT');
  });
});
