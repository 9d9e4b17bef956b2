// Internal: the governance state machine. A Ledger is the mutable working form of a RegistryState; planStep says
// what one step would do to it and which rules it breaks, without touching it; plan.apply does it. Replay
// (verifyRegistry, replayGovernance) and construction (applyProposal, createGenesis) share this code,
// so the builder can never produce a step that the verifier reads differently.
//
// Signatures are not checked here (that is async): a plan lists each co-signature as a candidate (the signer's key
// at this step) or as ignored with the reason, and countQuorum turns verification results into "signed by n/m".
import { VouchError, type VouchErrorCode } from '../../errors.ts';
import { decodeBase64url } from '../../encoding/base64url.ts';
import { governanceStepHash, legacyEntrySigningBytes, proposalSigningBytes } from '../signing-bytes.ts';
import { registryIdOf } from '../registry-id.ts';
import { REGISTRY_LIMITS } from '../limits.ts';
import type {
  GenesisStep,
  GovernanceStep,
  IgnoredSignature,
  IgnoredSignatureReason,
  IssuerEntry,
  IssuerSignature,
  ProposalAction,
  QuorumResult,
  RegistryRule,
  RegistryState,
  RevokedIssuer,
} from '../types.ts';

export interface Problem {
  rule: RegistryRule;
  code: VouchErrorCode;
  issuerId?: string;
  message: string;
}

export interface Ledger {
  registry: string;
  rootKey: string;
  sequence: number;
  chainHash: string;
  lastAppliedAt: string;
  lastAppliedAtMs: number;
  required: number;
  issuers: Map<string, IssuerEntry>;
  /**
   * The removed issuers by id, in the order of their removal (a Map keeps insertion order): an `add` of one takes
   * its record out and a later `remove` puts it last, each in constant time, as the list in a state or document is
   * ordered. Looked up once per co-signature by a non-issuer: a list searched each time cost removals × signatures.
   */
  revoked: Map<string, RevokedIssuer>;
  keyOwners: Map<string, string>;
  /** Every id ever registered, active or not. */
  known: Set<string>;
  origins: Map<string, number>;
  governance: GovernanceStep[];
}

/** A co-signature as the step's signers stood: a key to verify it with, or the reason it cannot count. */
export interface Candidate {
  index: number;
  issuerId: string;
  publicKey?: string;
  reason?: IgnoredSignatureReason;
}

export interface Plan {
  step: GovernanceStep;
  /** The sequence this step takes: one more than the ledger's. */
  sequence: number;
  kind: GovernanceStep['kind'];
  action?: ProposalAction;
  subject?: string;
  problems: Problem[];
  /** What the co-signers signed (absent for genesis). */
  signingBytes?: Uint8Array;
  signatures: IssuerSignature[];
  candidates: Candidate[];
  /** Co-signatures required: the threshold in force before the step (0 for genesis). */
  required: number;
  /** Present when the step has a well-defined effect (even if it breaks a rule, so replay can go on). */
  apply?: (ledger: Ledger) => void;
}

export function timeMs(iso: string): number {
  return Date.parse(iso);
}

export function boundsProblem(required: number, total: number): Problem | undefined {
  if (required >= 2 && required <= total - 1) return undefined;
  return {
    rule: 5,
    code: 'REGISTRY_THRESHOLD_INVALID',
    message: `threshold ${required} of ${total} active issuers is outside 2 ≤ required ≤ total − 1.`,
  };
}

function sortedIssuers(ledger: Ledger): IssuerEntry[] {
  return [...ledger.issuers.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function toState(ledger: Ledger): RegistryState {
  return {
    registry: ledger.registry,
    rootKey: ledger.rootKey,
    sequence: ledger.sequence,
    chainHash: ledger.chainHash,
    lastAppliedAt: ledger.lastAppliedAt,
    threshold: { required: ledger.required, total: ledger.issuers.size },
    issuers: sortedIssuers(ledger),
    revoked: [...ledger.revoked.values()],
    keyOwners: Object.fromEntries(ledger.keyOwners),
    origins: Object.fromEntries(ledger.origins),
    governance: [...ledger.governance],
  };
}

/**
 * Throws `INVALID_ARGUMENT` unless `state` has the members of a `RegistryState` with their types (what
 * `applyGenesis`, `applyProposal` and `replayGovernance` return), so a null or half-formed one is refused by name
 * rather than by a TypeError deep inside.
 */
export function checkState(state: unknown): asserts state is RegistryState {
  const s = state as Partial<Record<keyof RegistryState, unknown>> | null;
  const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (
    !isObject(s) ||
    typeof s!.registry !== 'string' ||
    typeof s!.rootKey !== 'string' ||
    !Number.isSafeInteger(s!.sequence) ||
    typeof s!.chainHash !== 'string' ||
    typeof s!.lastAppliedAt !== 'string' ||
    !isObject(s!.threshold) ||
    !Array.isArray(s!.issuers) ||
    !Array.isArray(s!.revoked) ||
    !isObject(s!.keyOwners) ||
    !isObject(s!.origins) ||
    !Array.isArray(s!.governance)
  ) {
    throw new VouchError(
      'INVALID_ARGUMENT',
      'Expected a registry state (as applyGenesis, applyProposal or replayGovernance return it).',
    );
  }
}

/** A state's `revoked` list by id (in its order); a record that is not one is refused as the state's shape is. */
function revokedById(list: readonly RevokedIssuer[]): Map<string, RevokedIssuer> {
  const byId = new Map<string, RevokedIssuer>();
  for (const r of list) {
    if (typeof r !== 'object' || r === null || typeof r.id !== 'string') {
      throw new VouchError(
        'INVALID_ARGUMENT',
        'Expected a registry state (as applyGenesis, applyProposal or replayGovernance return it).',
      );
    }
    byId.delete(r.id);
    byId.set(r.id, r);
  }
  return byId;
}

export function fromState(state: RegistryState): Ledger {
  checkState(state);
  const keyOwners = new Map(Object.entries(state.keyOwners));
  return {
    registry: state.registry,
    rootKey: state.rootKey,
    sequence: state.sequence,
    chainHash: state.chainHash,
    lastAppliedAt: state.lastAppliedAt,
    lastAppliedAtMs: timeMs(state.lastAppliedAt),
    required: state.threshold.required,
    issuers: new Map(state.issuers.map((e) => [e.id, e])),
    revoked: revokedById(state.revoked),
    keyOwners,
    known: new Set(keyOwners.values()),
    origins: new Map(Object.entries(state.origins)),
    governance: [...state.governance],
  };
}

/** The ledger right after a genesis step, and the rules the genesis breaks. */
export function genesisLedger(
  step: GenesisStep,
  hash = governanceStepHash(step),
): { ledger: Ledger; problems: Problem[] } {
  const problems: Problem[] = [];
  if (step.sequence !== 1) {
    problems.push({ rule: 2, code: 'REGISTRY_CHAIN_BROKEN', message: 'the genesis step must have sequence 1.' });
  }
  if (step.registry !== registryIdOf(step.rootKey)) {
    problems.push({
      rule: 1,
      code: 'REGISTRY_ROOT_MISMATCH',
      message: 'the genesis registry id is not the thumbprint of its root key.',
    });
  }
  const ledger: Ledger = {
    registry: step.registry,
    rootKey: step.rootKey,
    sequence: 1,
    chainHash: hash,
    lastAppliedAt: step.appliedAt,
    lastAppliedAtMs: timeMs(step.appliedAt),
    required: step.threshold.required,
    issuers: new Map(),
    revoked: new Map(),
    keyOwners: new Map(),
    known: new Set(),
    origins: new Map(),
    governance: [step],
  };
  if (step.issuers.length > REGISTRY_LIMITS.maxIssuers) {
    problems.push({ rule: 2, code: 'REGISTRY_STEP_INVALID', message: 'the genesis step has too many issuers.' });
  }
  for (const entry of step.issuers) {
    if (ledger.issuers.has(entry.id)) {
      problems.push({
        rule: 2,
        code: 'REGISTRY_STEP_INVALID',
        issuerId: entry.id,
        message: `issuer ${entry.id} appears twice in the genesis step.`,
      });
      continue;
    }
    const owner = ledger.keyOwners.get(entry.publicKey);
    if (owner !== undefined) {
      problems.push({
        rule: 2,
        code: 'REGISTRY_STEP_INVALID',
        issuerId: entry.id,
        message: `issuer ${entry.id} has the same key as ${owner}: one key under two ids.`,
      });
    } else {
      ledger.keyOwners.set(entry.publicKey, entry.id);
    }
    ledger.issuers.set(entry.id, entry);
    ledger.known.add(entry.id);
    ledger.origins.set(entry.id, 1);
  }
  const bounds = boundsProblem(ledger.required, ledger.issuers.size);
  if (bounds) problems.push(bounds);
  return { ledger, problems };
}

function candidatesFor(ledger: Ledger, subject: string | undefined, signatures: IssuerSignature[]): Candidate[] {
  return signatures.map((s, index) => {
    if (subject !== undefined && s.issuerId === subject) return { index, issuerId: s.issuerId, reason: 'subject' };
    const signer = ledger.issuers.get(s.issuerId);
    if (signer !== undefined) return { index, issuerId: s.issuerId, publicKey: signer.publicKey };
    const revoked = ledger.revoked.has(s.issuerId) || ledger.known.has(s.issuerId);
    return { index, issuerId: s.issuerId, reason: revoked ? 'revoked' : 'unknown' };
  });
}

function keyProblem(ledger: Ledger, id: string, publicKey: string): Problem | undefined {
  const owner = ledger.keyOwners.get(publicKey);
  if (owner === undefined || owner === id) return undefined;
  return {
    rule: 2,
    code: 'REGISTRY_STEP_INVALID',
    issuerId: id,
    message: `the key of ${id} is already registered under ${owner}: one key under two ids.`,
  };
}

function setIssuer(ledger: Ledger, entry: IssuerEntry, sequence: number): void {
  ledger.issuers.set(entry.id, entry);
  ledger.known.add(entry.id);
  ledger.origins.set(entry.id, sequence);
  if (!ledger.keyOwners.has(entry.publicKey)) ledger.keyOwners.set(entry.publicKey, entry.id);
}

function chainProblem(problems: Problem[], message: string): void {
  problems.push({ rule: 2, code: 'REGISTRY_CHAIN_BROKEN', message });
}

function stepProblem(problems: Problem[], message: string, issuerId?: string): void {
  problems.push({ rule: 2, code: 'REGISTRY_STEP_INVALID', message, ...(issuerId ? { issuerId } : {}) });
}

/**
 * What `step` would do to `ledger`, and every rule it breaks (chain, applicability, key reuse). Rule 5 bounds are
 * checked by `commit` after the effect; quorum by `countQuorum` once signatures are verified.
 */
export function planStep(ledger: Ledger, step: GovernanceStep): Plan {
  const sequence = ledger.sequence + 1;
  const problems: Problem[] = [];
  const chain = (message: string): void => chainProblem(problems, message);
  const invalid = (message: string, issuerId?: string): void => stepProblem(problems, message, issuerId);

  if (step.sequence !== sequence) chain(`the step says sequence ${step.sequence} where ${sequence} follows.`);
  if (step.kind === 'genesis') {
    chain('a genesis step may only come first.');
    return { step, sequence, kind: step.kind, problems, signatures: [], candidates: [], required: 0 };
  }
  if (step.prev !== ledger.chainHash) chain('prev is not the hash of the step before: the chain is broken.');
  const appliedAtMs = timeMs(step.appliedAt);
  if (appliedAtMs < ledger.lastAppliedAtMs) chain('appliedAt is earlier than the step before.');

  const required = ledger.required;
  if (step.kind === 'admit') {
    const entry = step.entry;
    const subject = entry.id;
    const plan: Plan = {
      step,
      sequence,
      kind: 'admit',
      subject,
      problems,
      signingBytes: legacyEntrySigningBytes(entry),
      signatures: entry.signatures,
      candidates: candidatesFor(ledger, subject, entry.signatures),
      required,
    };
    // An admit step's co-signatures are over the bare entry: they name no registry, no sequence and no deadline, so
    // signatures made for another registry (same co-signers) or on a draft abandoned long ago would verify here.
    // Documents made before this rule may hold such steps: they are read, reported ("signed by n/m") and refused.
    invalid(
      `issuer ${subject} is admitted by a co-signed entry (kind admit), whose co-signatures name no registry, ` +
        'sequence or deadline and may have been made for another registry or an abandoned draft: after genesis, an ' +
        'issuer is admitted only by an add proposal.',
      subject,
    );
    if (ledger.issuers.has(subject)) {
      invalid(`issuer ${subject} is already registered; changes go through an update proposal.`, subject);
      return plan;
    }
    if (ledger.known.has(subject)) {
      invalid(`issuer ${subject} was registered before; re-admission needs an add proposal.`, subject);
    }
    const keyed = keyProblem(ledger, subject, entry.publicKey);
    if (keyed) problems.push(keyed);
    plan.apply = (l) => setIssuer(l, entry, sequence);
    return plan;
  }

  const proposal = step.proposal;
  const subject = proposal.subject;
  const plan: Plan = {
    step,
    sequence,
    kind: 'proposal',
    action: proposal.action,
    ...(subject !== undefined ? { subject } : {}),
    problems,
    signingBytes: proposalSigningBytes(proposal),
    signatures: proposal.signatures,
    candidates: candidatesFor(ledger, subject, proposal.signatures),
    required,
  };
  if (proposal.registry !== ledger.registry) invalid('the proposal names another registry.', subject);
  if (proposal.baseSequence !== ledger.sequence) {
    invalid(
      `the proposal was made for sequence ${proposal.baseSequence} but applied at sequence ${ledger.sequence}.`,
      subject,
    );
  }
  if (timeMs(proposal.expiresAt) <= appliedAtMs) invalid('the proposal had expired when it was applied.', subject);

  switch (proposal.action) {
    case 'add': {
      const entry: IssuerEntry = { ...proposal.entry!, signatures: [] };
      if (ledger.issuers.has(entry.id)) {
        invalid(`issuer ${entry.id} is already registered.`, entry.id);
        return plan;
      }
      const keyed = keyProblem(ledger, entry.id, entry.publicKey);
      if (keyed) problems.push(keyed);
      plan.apply = (l) => {
        setIssuer(l, entry, sequence);
        l.revoked.delete(entry.id);
      };
      return plan;
    }
    case 'update': {
      const entry: IssuerEntry = { ...proposal.entry!, signatures: [] };
      if (!ledger.issuers.has(entry.id)) {
        invalid(`issuer ${entry.id} is not an active issuer.`, entry.id);
        return plan;
      }
      const keyed = keyProblem(ledger, entry.id, entry.publicKey);
      if (keyed) problems.push(keyed);
      plan.apply = (l) => setIssuer(l, entry, sequence);
      return plan;
    }
    case 'remove': {
      const id = subject!;
      const current = ledger.issuers.get(id);
      if (current === undefined) {
        invalid(`issuer ${id} is not an active issuer.`, id);
        return plan;
      }
      plan.apply = (l) => {
        l.issuers.delete(id);
        l.origins.delete(id);
        l.revoked.delete(id);
        l.revoked.set(id, { id, publicKey: current.publicKey, revokedAt: step.appliedAt, reason: proposal.reason! });
      };
      return plan;
    }
    case 'threshold': {
      const next = proposal.threshold!.required;
      plan.apply = (l) => {
        l.required = next;
      };
      return plan;
    }
  }
}

/** Applies a planned step's effect (if any) and advances the chain; returns the rule 5 problem it leaves, if any. */
export function commit(ledger: Ledger, plan: Plan, hash = governanceStepHash(plan.step)): Problem | undefined {
  plan.apply?.(ledger);
  ledger.sequence = plan.sequence;
  ledger.chainHash = hash;
  const ms = timeMs(plan.step.appliedAt);
  if (ms >= ledger.lastAppliedAtMs) {
    ledger.lastAppliedAtMs = ms;
    ledger.lastAppliedAt = plan.step.appliedAt;
  }
  ledger.governance.push(plan.step);
  if (plan.apply === undefined) return undefined;
  return boundsProblem(ledger.required, ledger.issuers.size);
}

const IGNORED_TEXT: Record<IgnoredSignatureReason, string> = {
  'duplicate-signer': 'signed more than once; counted once',
  subject: 'is the subject of this step and cannot co-sign it',
  revoked: 'was revoked at this step',
  unknown: 'is not an issuer of this registry at this step',
  'duplicate-key': 'has the same key as another signer; one key counts once',
  'invalid-signature': 'signature does not verify',
};

export function ignoredText(i: IgnoredSignature): string {
  return `${i.issuerId} ${IGNORED_TEXT[i.reason]}`;
}

/** The bytes of an `ed25519:<base64url>` signature that the validators already accepted. */
export function signatureBytes(signature: string): Uint8Array {
  return decodeBase64url(signature.slice('ed25519:'.length));
}

/**
 * Counts distinct signers: a candidate counts when its signature verified, its id has not been counted, and its key
 * has not been counted under another id. `valid[i]` is the verification result of signature `i`.
 */
export function countQuorum(candidates: Candidate[], valid: readonly boolean[], required: number): QuorumResult {
  const ids = new Set<string>();
  const keys = new Set<string>();
  const signers: string[] = [];
  const ignored: IgnoredSignature[] = [];
  for (const c of candidates) {
    let reason = c.reason;
    if (reason === undefined && valid[c.index] !== true) reason = 'invalid-signature';
    if (reason === undefined && ids.has(c.issuerId)) reason = 'duplicate-signer';
    if (reason === undefined && keys.has(c.publicKey!)) reason = 'duplicate-key';
    if (reason !== undefined) {
      ignored.push({ issuerId: c.issuerId, reason });
      continue;
    }
    ids.add(c.issuerId);
    keys.add(c.publicKey!);
    signers.push(c.issuerId);
  }
  return {
    met: ids.size >= required,
    valid: ids.size,
    required,
    signers,
    ignored,
    text: `signed by ${ids.size}/${required}`,
  };
}
