// Registry fixtures for the SDK tests: issuers with real Ed25519 keys, a governed registry built through the public
// API, and "forgeries" — what the holder of the root key alone can produce (re-signed documents, unsigned steps).
// Time is pinned: every time is T0 plus some minutes.
import assert from 'node:assert/strict';
import {
  isVouchError,
  applyProposal,
  canonicalize,
  draftIssuerEntry,
  draftProposal,
  encodeBase64url,
  formatPublicKey,
  generateKeyPair,
  getDefaultCrypto,
  proposalSigningBytes,
  registryDocumentSigningBytes,
  replayGovernance,
  signProposal,
  signRegistryDocument,
  createGenesis,
  governanceStepHash,
  type AdmitStep,
  type GovernanceStep,
  type ProposalStep,
  type IssuerEntry,
  type PrivateKey,
  type Proposal,
  type RegistryDocument,
  type RegistryState,
} from '../src/index.ts';
import { legacyEntrySigningBytes } from '../src/registry/signing-bytes.ts';

export const T0 = Date.parse('2025-01-01T00:00:00.000Z');
/** T0 plus `minutes`. */
export const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);
/** A time at which every fixture document is fresh. */
export const NOW = at(60);

export interface Org {
  id: string;
  privateKey: PrivateKey;
  publicKey: string;
}

export interface Root {
  privateKey: PrivateKey;
  publicKey: string;
}

export async function makeRoot(): Promise<Root> {
  const pair = await generateKeyPair('Ed25519');
  return { privateKey: pair.privateKey, publicKey: pair.publicKeyRegistry! };
}

export async function makeOrg(id: string): Promise<Org> {
  const pair = await generateKeyPair('Ed25519');
  return { id, privateKey: pair.privateKey, publicKey: pair.publicKeyRegistry! };
}

export async function makeOrgs(...ids: string[]): Promise<Record<string, Org>> {
  const orgs = await Promise.all(ids.map(makeOrg));
  return Object.fromEntries(orgs.map((o) => [o.id, o]));
}

export function entryFor(org: Org, overrides: Partial<Parameters<typeof draftIssuerEntry>[0]> = {}): IssuerEntry {
  return draftIssuerEntry({
    id: org.id,
    publicKey: org.publicKey,
    endpoint: `https://credentials.${org.id}.example`,
    name: `${org.id[0]!.toUpperCase()}${org.id.slice(1)} Inc.`,
    contact: `trust@${org.id}.example`,
    description: `Credentials issued by ${org.id}`,
    registeredAt: at(0),
    ...overrides,
  });
}

export async function cosignProposal(proposal: Proposal, signers: Org[]): Promise<Proposal> {
  let out = proposal;
  for (const s of signers) out = await signProposal(out, s.privateKey, { issuerId: s.id, signedAt: at(1) });
  return out;
}

/** A raw co-signature by `signer` over `bytes` claimed as `issuerId` — no SDK guard rails, as an attacker would. */
export async function rawSignature(bytes: Uint8Array, signer: Org, issuerId = signer.id) {
  const sig = await getDefaultCrypto().sign('EdDSA', signer.privateKey, bytes);
  return { issuerId, signature: `ed25519:${encodeBase64url(sig)}`, signedAt: at(1).toISOString() };
}

/**
 * Legacy co-signatures over the bare entry, as the SDK made them before `admit` steps were refused: they name no
 * registry, sequence or deadline (what a replay attacker holds).
 */
export async function rawSignEntry(entry: IssuerEntry, signers: [Org, string?][]): Promise<IssuerEntry> {
  const bytes = legacyEntrySigningBytes(entry);
  const sigs = await Promise.all(signers.map(([o, id]) => rawSignature(bytes, o, id)));
  return { ...entry, signatures: [...entry.signatures, ...sigs] };
}

export async function rawSignProposal(proposal: Proposal, signers: [Org, string?][]): Promise<Proposal> {
  const bytes = proposalSigningBytes(proposal);
  const sigs = await Promise.all(signers.map(([o, id]) => rawSignature(bytes, o, id)));
  return { ...proposal, signatures: [...proposal.signatures, ...sigs] };
}

export function proposalFor(
  state: RegistryState,
  fields: Omit<Parameters<typeof draftProposal>[0], 'registry' | 'baseSequence' | 'expiresAt'> & {
    baseSequence?: number;
    expiresAt?: Date;
  },
): Proposal {
  return draftProposal({
    registry: state.registry,
    baseSequence: state.sequence,
    expiresAt: at(24 * 60),
    ...fields,
  });
}

/** Signs the document's current content with the root key, as an operator holding only that key can. */
export async function resign(doc: Omit<RegistryDocument, 'rootSignature'>, root: Root): Promise<RegistryDocument> {
  const { rootSignature: _old, ...unsigned } = doc as RegistryDocument;
  const sig = await getDefaultCrypto().sign(
    'EdDSA',
    root.privateKey,
    registryDocumentSigningBytes(unsigned as RegistryDocument),
  );
  return { ...unsigned, rootSignature: `ed25519:${encodeBase64url(sig)}` } as RegistryDocument;
}

/** A deep copy, changed by `mutate`, re-signed by the root key alone. */
export async function forge(
  doc: RegistryDocument,
  root: Root,
  mutate: (d: RegistryDocument) => void,
): Promise<RegistryDocument> {
  const copy = JSON.parse(JSON.stringify(doc)) as RegistryDocument; // no shared objects, as after a round trip
  mutate(copy);
  return resign(copy, root);
}

export function stateOf(doc: RegistryDocument): RegistryState {
  const { state, failures } = replayGovernance(doc.governance);
  if (state === undefined || failures.length > 0) throw new Error(`fixture replay failed: ${JSON.stringify(failures)}`);
  return state;
}

export async function publish(state: RegistryState, root: Root, minutes = 30): Promise<RegistryDocument> {
  return signRegistryDocument(state, { rootKey: root.privateKey, now: at(minutes), validitySeconds: 7 * 86400 });
}

export interface Governed {
  root: Root;
  orgs: Record<string, Org>;
  /** After each step: docs[n] has sequence n. */
  docs: Record<number, RegistryDocument>;
  doc: RegistryDocument;
  state: RegistryState;
}

/**
 * A registry governed through every kind of step:
 * 1 genesis alpha, bravo, charlie, delta, threshold 2 ·
 * 2 add echo (proposal), co-signed by alpha and delta ·
 * 3 threshold → 3 (alpha, bravo, charlie) ·
 * 4 remove delta (alpha, bravo, charlie) — echo's admission, co-signed by delta, stays valid ·
 * 5 update echo's endpoint (alpha, bravo, charlie).
 * Final: alpha, bravo, charlie, echo active; delta revoked; threshold 3 of 4.
 */
export async function governedRegistry(): Promise<Governed> {
  const root = await makeRoot();
  const orgs = await makeOrgs('alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot');
  const { alpha, bravo, charlie, delta, echo } = orgs as Record<string, Org>;
  const docs: Record<number, RegistryDocument> = {};
  const genesis = await createGenesis({
    rootKey: root.privateKey,
    issuers: [alpha!, bravo!, charlie!, delta!].map((o) => entryFor(o)),
    threshold: 2,
    now: at(1),
  });
  docs[1] = genesis;
  let state = stateOf(genesis);

  const admitEcho = await cosignProposal(proposalFor(state, { action: 'add', entry: entryFor(echo!) }), [
    alpha!,
    delta!,
  ]);
  ({ state } = applyProposal(state, admitEcho, { appliedAt: at(2) }));
  docs[2] = await publish(state, root, 2);

  const raise = await cosignProposal(proposalFor(state, { action: 'threshold', threshold: { required: 3 } }), [
    alpha!,
    bravo!,
    charlie!,
  ]);
  ({ state } = applyProposal(state, raise, { appliedAt: at(3) }));
  docs[3] = await publish(state, root, 3);

  const remove = await cosignProposal(
    proposalFor(state, { action: 'remove', subject: 'delta', reason: 'left the consortium' }),
    [alpha!, bravo!, charlie!],
  );
  ({ state } = applyProposal(state, remove, { appliedAt: at(4) }));
  docs[4] = await publish(state, root, 4);

  const { signatures: _s, $schema: _d, ...current } = state.issuers.find((e) => e.id === 'echo')!;
  const update = await cosignProposal(
    proposalFor(state, { action: 'update', entry: { ...current, endpoint: 'https://v2.credentials.echo.example' } }),
    [alpha!, bravo!, charlie!],
  );
  ({ state } = applyProposal(state, update, { appliedAt: at(5) }));
  docs[5] = await publish(state, root, 5);
  return { root, orgs, docs, doc: docs[5], state };
}

export function publicKeyText(key: PrivateKey): string {
  return formatPublicKey(key.publicKey, 'registry');
}

export function canonicalEqual(a: unknown, b: unknown): boolean {
  return canonicalize(a) === canonicalize(b);
}

/** `rule/code/step/issuer` of every failure, for compact assertions. */
export function failureKeys(report: { failures: { rule: number; code: string; step?: number; issuerId?: string }[] }) {
  return report.failures.map((f) => `${f.rule}/${f.code}/${f.step ?? '-'}/${f.issuerId ?? '-'}`);
}

export function throwsCode(fn: () => unknown, code: string, pattern?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isVouchError(e), `expected a VouchError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

export async function rejectsCode(fn: () => Promise<unknown>, code: string, pattern?: RegExp): Promise<void> {
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(isVouchError(e), `expected a VouchError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

/**
 * A document the root key alone can make from any governance steps: replays them (applying every effect, whatever
 * rules they break), lists the result consistently and signs it. Only the rules the steps break should fail.
 */
export async function rawDocument(
  root: Root,
  governance: GovernanceStep[],
  updatedAt = at(50),
): Promise<RegistryDocument> {
  const { state } = replayGovernance(governance);
  if (state === undefined) throw new Error('rawDocument: no genesis');
  return resign(
    {
      version: '1.0',
      registry: state.registry,
      sequence: governance.length,
      updatedAt: updatedAt.toISOString(),
      expiresAt: at(7 * 24 * 60).toISOString(),
      issuers: [...state.issuers],
      revoked: [...state.revoked],
      threshold: { ...state.threshold },
      governance,
    },
    root,
  );
}

type NewStep = DistributiveOmit<AdmitStep, 'sequence' | 'prev'> | DistributiveOmit<ProposalStep, 'sequence' | 'prev'>;
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** Appends a step with the right sequence and prev, whatever else is wrong with it, and signs the result. */
export async function appendForgedStep(doc: RegistryDocument, root: Root, step: NewStep): Promise<RegistryDocument> {
  const last = doc.governance.at(-1)!;
  const full = { ...step, sequence: doc.sequence + 1, prev: governanceStepHash(last) } as GovernanceStep;
  return rawDocument(root, [...doc.governance, full]);
}
