// The governance state machine (applyGenesis, applyProposal, replayGovernance), quorum counting for
// pending changes, co-signing, and document signing — what `vouch registry build` and the server authority use.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  applyGenesis,
  applyProposal,
  canonicalize,
  checkIssuer,
  checkQuorum,
  checkCoSignature,
  createGenesis,
  generateKeyPair,
  getDefaultCrypto,
  parsePublicKey,
  proposalSigningBytes,
  replayGovernance,
  signProposal,
  signRegistryDocument,
  verifyRegistry,
  decodeBase64url,
  type RegistryState,
} from '../src/index.ts';
import {
  at,
  cosignProposal,
  entryFor,
  governedRegistry,
  makeOrg,
  NOW,
  proposalFor,
  publish,
  rawSignProposal,
  rejectsCode,
  stateOf,
  throwsCode,
  type Governed,
  type Org,
} from './registry-fixtures.ts';

let g: Governed;
let o: Record<string, Org>;
let s: RegistryState; // after step 5: alpha, bravo, charlie, echo; delta revoked; 3 of 4
before(async () => {
  g = await governedRegistry();
  o = g.orgs;
  s = g.state;
});

describe('genesis', () => {
  test('createGenesis: sequence 1, sorted issuers without $schema, 7-day validity, verifies', async () => {
    const doc = await createGenesis({
      rootKey: g.root.privateKey,
      issuers: [o.charlie!, o.alpha!, o.bravo!].map((x) => ({
        $schema: '../schemas/issuer.schema.json',
        ...entryFor(x),
      })),
      threshold: 2,
      now: at(1),
    });
    assert.equal(doc.sequence, 1);
    assert.deepEqual(
      doc.issuers.map((e) => e.id),
      ['alpha', 'bravo', 'charlie'],
    );
    assert.equal('$schema' in doc.issuers[0]!, false);
    assert.equal(Date.parse(doc.expiresAt) - Date.parse(doc.updatedAt), 7 * 86_400_000);
    assert.deepEqual(doc.threshold, { required: 2, total: 3 });
    assert.equal((await verifyRegistry(doc, { rootKey: g.root.publicKey, now: NOW })).valid, true);
  });

  test('refuses a threshold outside 2 ≤ t ≤ n − 1, a repeated id, one key under two ids', () => {
    const three = [o.alpha!, o.bravo!, o.charlie!].map((x) => entryFor(x));
    const base = { rootKey: g.root.publicKey, appliedAt: at(1) };
    throwsCode(() => applyGenesis({ ...base, issuers: three, threshold: 1 }), 'REGISTRY_THRESHOLD_INVALID');
    throwsCode(() => applyGenesis({ ...base, issuers: three, threshold: 3 }), 'REGISTRY_THRESHOLD_INVALID');
    throwsCode(() => applyGenesis({ ...base, issuers: three.slice(0, 2), threshold: 2 }), 'REGISTRY_THRESHOLD_INVALID');
    throwsCode(
      () => applyGenesis({ ...base, issuers: [...three, entryFor(o.alpha!)], threshold: 2 }),
      'REGISTRY_STEP_INVALID',
      /appears twice/,
    );
    throwsCode(
      () => applyGenesis({ ...base, issuers: [...three, entryFor({ ...o.alpha!, id: 'twin' })], threshold: 2 }),
      'REGISTRY_STEP_INVALID',
      /same key as alpha/,
    );
    throwsCode(
      () => applyGenesis({ ...base, issuers: [{ ...three[0]!, id: 'Bad' }, ...three.slice(1)], threshold: 2 }),
      'REGISTRY_INVALID',
      /^issuers\[0\]: id: /,
    );
  });
});

describe('applyProposal', () => {
  test('the state after each step is what replaying the document gives', () => {
    assert.equal(canonicalize(stateOf(g.doc)), canonicalize(s));
    assert.equal(s.sequence, 5);
    assert.deepEqual(s.threshold, { required: 3, total: 4 });
    assert.deepEqual(s.origins, { alpha: 1, bravo: 1, charlie: 1, echo: 5 });
    assert.equal(s.keyOwners[o.delta!.publicKey], 'delta', 'a removed issuer keeps its key forever');
  });

  test('an add proposal admits a new issuer: not an active id, not a key already registered', async () => {
    const signers = [o.alpha!, o.bravo!, o.charlie!];
    const add = (org: Org) => cosignProposal(proposalFor(s, { action: 'add', entry: entryFor(org) }), signers);
    throwsCode(
      () => applyProposal(s, proposalFor(s, { action: 'add', entry: entryFor(o.alpha!) }), { appliedAt: at(6) }),
      'REGISTRY_STEP_INVALID',
      /already registered/,
    );
    const stolen = await add({ ...o.delta!, id: 'delta-2' });
    throwsCode(() => applyProposal(s, stolen, { appliedAt: at(6) }), 'REGISTRY_STEP_INVALID', /under delta/);
    const ok = await add(o.foxtrot!);
    throwsCode(
      () => applyProposal(s, ok, { appliedAt: at(4) }),
      'REGISTRY_CHAIN_BROKEN',
      /earlier than the step before/,
    );
    const { state, step } = applyProposal(s, ok, { appliedAt: at(6) });
    assert.deepEqual([state.sequence, state.threshold.total, step.kind], [6, 5, 'proposal']);
    assert.equal(state.origins.foxtrot, 6);
    assert.deepEqual(state.issuers.find((e) => e.id === 'foxtrot')!.signatures, []);
  });

  test('a proposal applies at its baseSequence, to its registry, before expiry, when it makes sense', async () => {
    const at6 = { appliedAt: at(6) };
    const p = (fields: Parameters<typeof proposalFor>[1]) => proposalFor(s, fields);
    throwsCode(
      () => applyProposal(s, p({ action: 'threshold', threshold: { required: 2 }, baseSequence: 4 }), at6),
      'REGISTRY_STEP_INVALID',
      /made for sequence 4 but applied at sequence 5/,
    );
    throwsCode(
      () => applyProposal(s, p({ action: 'threshold', threshold: { required: 2 }, expiresAt: at(6) }), at6),
      'REGISTRY_STEP_INVALID',
      /expired/,
    );
    throwsCode(
      () =>
        applyProposal(s, { ...p({ action: 'threshold', threshold: { required: 2 } }), registry: 'y'.repeat(43) }, at6),
      'REGISTRY_STEP_INVALID',
      /another registry/,
    );
    throwsCode(
      () => applyProposal(s, p({ action: 'remove', subject: 'delta', reason: 'again' }), at6),
      'REGISTRY_STEP_INVALID',
      /not an active issuer/,
    );
    throwsCode(
      () => applyProposal(s, p({ action: 'update', entry: entryFor(o.foxtrot!) }), at6),
      'REGISTRY_STEP_INVALID',
      /not an active issuer/,
    );
    throwsCode(
      () => applyProposal(s, p({ action: 'add', entry: entryFor(o.alpha!) }), at6),
      'REGISTRY_STEP_INVALID',
      /already registered/,
    );
    // Rule 5: 3 of 3 would need every remaining issuer; 4 of 4 likewise.
    throwsCode(
      () => applyProposal(s, p({ action: 'remove', subject: 'bravo', reason: 'x' }), at6),
      'REGISTRY_THRESHOLD_INVALID',
      /3 of 3/,
    );
    throwsCode(
      () => applyProposal(s, p({ action: 'threshold', threshold: { required: 4 } }), at6),
      'REGISTRY_THRESHOLD_INVALID',
    );
  });

  test('add re-admits a removed issuer (its revocation record goes), update rotates a key for good', async () => {
    const back = applyProposal(s, proposalFor(s, { action: 'add', entry: entryFor(o.delta!) }), { appliedAt: at(6) });
    assert.deepEqual(back.state.revoked, []);
    assert.equal(back.state.issuers.find((e) => e.id === 'delta')!.signatures.length, 0);

    const fresh = await generateKeyPair('Ed25519');
    const { signatures: _s, ...bravo } = s.issuers.find((e) => e.id === 'bravo')!;
    const rotated = applyProposal(
      s,
      proposalFor(s, { action: 'update', entry: { ...bravo, publicKey: fresh.publicKeyRegistry! } }),
      {
        appliedAt: at(6),
      },
    ).state;
    assert.equal(rotated.issuers.find((e) => e.id === 'bravo')!.publicKey, fresh.publicKeyRegistry);
    // bravo's old key can never come back under another id.
    const reuse = proposalFor(rotated, { action: 'add', entry: entryFor({ ...o.bravo!, id: 'bravo-old' }) });
    throwsCode(() => applyProposal(rotated, reuse, { appliedAt: at(7) }), 'REGISTRY_STEP_INVALID', /under bravo/);
    // bravo may return to its old key, though.
    applyProposal(rotated, proposalFor(rotated, { action: 'update', entry: bravo }), { appliedAt: at(7) });
  });

  test('replayGovernance reports structural failures without checking signatures', () => {
    const steps = structuredClone(g.doc.governance);
    (steps[3] as { prev: string }).prev = '0'.repeat(64);
    const { state, failures } = replayGovernance(steps);
    assert.equal(state!.sequence, 5);
    assert.deepEqual(
      failures.map((f) => [f.rule, f.code, f.step]),
      [
        [2, 'REGISTRY_CHAIN_BROKEN', 4], // its prev
        [2, 'REGISTRY_CHAIN_BROKEN', 5], // and, its hash having changed, the next step's prev
      ],
    );
    throwsCode(
      () => replayGovernance([{ kind: 'genesis' }] as never),
      'REGISTRY_INVALID',
      /^governance\[0\]\.sequence: is required/,
    );
  });
});

describe('checkQuorum counts exactly as verifyRegistry will', () => {
  test('distinct active issuers, never the subject, revoked, unknown, doubles or shared keys', async () => {
    const zulu = await makeOrg('zulu');
    const admission = proposalFor(s, { action: 'add', entry: entryFor(o.foxtrot!) });
    const entry = await rawSignProposal(admission, [
      [o.alpha!],
      [o.alpha!],
      [o.foxtrot!],
      [o.delta!],
      [zulu],
      [o.echo!, 'bravo'],
      [o.charlie!],
    ]);
    const q = await checkQuorum(s, entry);
    assert.deepEqual(
      { met: q.met, valid: q.valid, required: q.required, signers: q.signers, text: q.text },
      { met: false, valid: 2, required: 3, signers: ['alpha', 'charlie'], text: 'signed by 2/3' },
    );
    assert.deepEqual(q.ignored, [
      { issuerId: 'alpha', reason: 'duplicate-signer' },
      { issuerId: 'foxtrot', reason: 'subject' },
      { issuerId: 'delta', reason: 'revoked' },
      { issuerId: 'zulu', reason: 'unknown' },
      { issuerId: 'bravo', reason: 'invalid-signature' },
    ]);
    const three = await cosignProposal(admission, [o.alpha!, o.bravo!, o.echo!]);
    assert.equal((await checkQuorum(s, three)).text, 'signed by 3/3');

    const remove = await cosignProposal(proposalFor(s, { action: 'remove', subject: 'echo', reason: 'x' }), [
      o.alpha!,
      o.bravo!,
    ]);
    const rq = await checkQuorum(s, remove);
    assert.deepEqual([rq.met, rq.text], [false, 'signed by 2/3']);
  });
});

describe('checkCoSignature: one posted signature, checked at once', () => {
  test('counted, or the reason it would not count', async () => {
    const proposal = proposalFor(s, { action: 'remove', subject: 'echo', reason: 'x' });
    const one = await cosignProposal(proposal, [o.alpha!]);
    const sigOf = async (org: Org, id = org.id) => (await rawSignProposal(proposal, [[org, id]])).signatures[0]!;
    assert.deepEqual(await checkCoSignature(s, one, await sigOf(o.bravo!)), { counted: true });
    assert.deepEqual(await checkCoSignature(s, one, await sigOf(o.alpha!)), {
      counted: false,
      reason: 'duplicate-signer',
    });
    assert.deepEqual(await checkCoSignature(s, one, await sigOf(o.echo!)), { counted: false, reason: 'subject' });
    assert.deepEqual(await checkCoSignature(s, one, await sigOf(o.delta!)), { counted: false, reason: 'revoked' });
    assert.deepEqual(await checkCoSignature(s, one, await sigOf(o.foxtrot!)), { counted: false, reason: 'unknown' });
    assert.deepEqual(await checkCoSignature(s, one, await sigOf(o.foxtrot!, 'bravo')), {
      counted: false,
      reason: 'invalid-signature',
    });
    await rejectsCode(
      () => checkCoSignature(s, one, { issuerId: 'bravo', signature: 'x', signedAt: 'y' }),
      'REGISTRY_INVALID',
      /^signature\.signedAt/,
    );
  });
});

describe('co-signing', () => {
  test('signProposal appends a verifiable signature and leaves the input alone', async () => {
    const proposal0 = proposalFor(s, { action: 'add', entry: entryFor(o.foxtrot!) });
    const signed = await signProposal(proposal0, o.alpha!.privateKey, { issuerId: 'alpha', signedAt: at(2) });
    assert.deepEqual(proposal0.signatures, []);
    assert.equal(signed.signatures.length, 1);
    const sig = signed.signatures[0]!;
    assert.deepEqual([sig.issuerId, sig.signedAt], ['alpha', at(2).toISOString()]);
    assert.match(sig.signature, /^ed25519:[A-Za-z0-9_-]{86}$/);
    const ok = await getDefaultCrypto().verify(
      'EdDSA',
      parsePublicKey(o.alpha!.publicKey),
      decodeBase64url(sig.signature.slice(8)),
      proposalSigningBytes(proposal0),
    );
    assert.equal(ok, true);
    await rejectsCode(
      () => signProposal(signed, o.alpha!.privateKey, { issuerId: 'alpha' }),
      'INVALID_ARGUMENT',
      /already signed/,
    );
    await rejectsCode(
      () => signProposal(proposal0, o.foxtrot!.privateKey, { issuerId: 'foxtrot' }),
      'INVALID_ARGUMENT',
      /subject/,
    );
    await rejectsCode(
      () => signProposal(proposal0, o.alpha!.privateKey, { issuerId: 'Alpha' }),
      'REGISTRY_INVALID',
      /issuerId/,
    );
    const p256 = await generateKeyPair('P-256');
    await rejectsCode(() => signProposal(proposal0, p256.privateKey, { issuerId: 'alpha' }), 'INVALID_KEY');

    const proposal = proposalFor(s, { action: 'remove', subject: 'echo', reason: 'x' });
    await rejectsCode(
      () => signProposal(proposal, o.echo!.privateKey, { issuerId: 'echo' }),
      'INVALID_ARGUMENT',
      /subject/,
    );
    const sp = await signProposal(proposal, o.alpha!.privateKey, { issuerId: 'alpha' });
    assert.deepEqual([proposal.signatures.length, sp.signatures.length], [0, 1]);
  });
});

describe('signRegistryDocument', () => {
  test('re-signing the same state renews the expiry and keeps sequence and chain', async () => {
    const later = await signRegistryDocument(s, { rootKey: g.root.privateKey, now: at(120), validitySeconds: 3600 });
    assert.deepEqual(
      [later.sequence, later.updatedAt, later.expiresAt],
      [5, at(120).toISOString(), at(180).toISOString()],
    );
    assert.deepEqual(later.governance, g.doc.governance);
    assert.equal((await verifyRegistry(later, { rootKey: g.root.publicKey, now: at(179) })).valid, true);
    const fixed = await signRegistryDocument(s, { rootKey: g.root.privateKey, now: at(120), expiresAt: at(121) });
    assert.equal(fixed.expiresAt, at(121).toISOString());
  });

  test('refuses another key, a time before the last step, a non-positive lifetime', async () => {
    const other = await generateKeyPair('Ed25519');
    await rejectsCode(() => signRegistryDocument(s, { rootKey: other.privateKey, now: NOW }), 'REGISTRY_ROOT_MISMATCH');
    await rejectsCode(() => signRegistryDocument(s, { rootKey: g.root.privateKey, now: at(4) }), 'INVALID_ARGUMENT');
    await rejectsCode(
      () => signRegistryDocument(s, { rootKey: g.root.privateKey, now: NOW, validitySeconds: 0 }),
      'INVALID_ARGUMENT',
    );
    await rejectsCode(
      () => signRegistryDocument(s, { rootKey: g.root.privateKey, now: NOW, expiresAt: NOW }),
      'INVALID_ARGUMENT',
    );
  });

  test('a removed issuer is revoked for checkIssuer, a re-added one active again', async () => {
    const back = applyProposal(s, proposalFor(s, { action: 'add', entry: entryFor(o.delta!) }), { appliedAt: at(6) });
    const doc = await publish(back.state, g.root, 7);
    assert.equal(checkIssuer(g.doc, 'delta').status, 'revoked');
    assert.equal(checkIssuer(doc, 'delta').status, 'active');
  });
});
