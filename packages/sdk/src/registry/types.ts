// The trust registry's file formats (docs/registry.md, schemas/*.schema.json). Plain JSON data: every object here
// is what the strict parser returns after the validators in entry.ts, proposal.ts and document.ts accepted it.
import type { VouchErrorCode } from '../errors.ts';

/** `version` of a registry document: the seed's format version, unchanged. */
export const REGISTRY_FORMAT_VERSION = '1.0';
/** `type` of a governance proposal; also what tells a proposal file from an issuer entry file. */
export const PROPOSAL_TYPE = 'vouch-registry-proposal-v1';

/** Contact details of an issuing organization. Every member is covered by the co-signatures. */
export interface IssuerMetadata {
  name: string;
  url: string;
  contact: string;
  description?: string;
}

/** One co-signature: `signature` is `ed25519:<base64url>` over the signing bytes of the object that carries it. */
export interface IssuerSignature {
  issuerId: string;
  signature: string;
  /** When the co-signer says it signed (ISO-8601). Informational: not covered by any signature. */
  signedAt: string;
}

/** An issuer entry as in `<dir>/issuers/<id>.json`. */
export interface IssuerEntry {
  $schema?: string;
  /** Lowercase alphanumerics and single hyphens, at most 64 characters. */
  id: string;
  /** `ed25519:<base64url of the 32 raw bytes>`. */
  publicKey: string;
  endpoint: string;
  registeredAt: string;
  metadata: IssuerMetadata;
  signatures: IssuerSignature[];
}

/** What co-signers of an entry sign (RFC 8785): the entry without `signatures` and `$schema`. */
export type UnsignedIssuerEntry = Omit<IssuerEntry, 'signatures' | '$schema'>;

/** What a proposal asks for. `add` re-admits (or admits) an issuer under a fresh quorum bound to one sequence. */
export type ProposalAction = 'add' | 'update' | 'remove' | 'threshold';

/**
 * A governance proposal. Co-signers sign the RFC 8785 JSON of the proposal without `signatures` and `$schema`.
 * `subject` names the issuer for `add`, `update` and `remove` and is absent for `threshold`; `entry` is the new entry
 * (without signatures) for `add` and `update`; `threshold` only for `threshold`; `reason` is required for `remove`.
 */
export interface Proposal {
  $schema?: string;
  type: typeof PROPOSAL_TYPE;
  /** The registry it applies to: the RFC 7638 thumbprint of the registry's root public key. */
  registry: string;
  /** The `sequence` of the registry document it applies to; it becomes step `baseSequence + 1`, or nothing. */
  baseSequence: number;
  action: ProposalAction;
  subject?: string;
  entry?: UnsignedIssuerEntry;
  threshold?: { required: number };
  reason?: string;
  /** Not applicable at or after this time (ISO-8601). */
  expiresAt: string;
  signatures: IssuerSignature[];
}

/** A removed issuer, as in `revoked[]` and `<dir>/revoked/<id>.json`. */
export interface RevokedIssuer {
  id: string;
  publicKey: string;
  /** The `appliedAt` of the step that removed it. */
  revokedAt: string;
  reason: string;
}

/** `required` co-signatures out of `total` active issuers. */
export interface Threshold {
  required: number;
  total: number;
}

/**
 * Step 1: the registry's creation, the only step the root key signs alone (through the document signature). The
 * founders are the root key holder's choice; any `signatures` their entries carry count for nothing.
 */
export interface GenesisStep {
  sequence: 1;
  kind: 'genesis';
  appliedAt: string;
  /** RFC 7638 thumbprint of the root public key. */
  registry: string;
  /** The root public key, `ed25519:<base64url>`. */
  rootKey: string;
  threshold: { required: number };
  issuers: IssuerEntry[];
}

/**
 * Legacy: the admission of a co-signed issuer entry (the seed's flow). Still parsed, so that a document holding one
 * is read and reported, but never valid: its co-signatures cover the bare entry, naming no registry, sequence or
 * deadline, so they could have been made for another registry. Issuers are admitted by an `add` proposal.
 */
export interface AdmitStep {
  sequence: number;
  kind: 'admit';
  appliedAt: string;
  /** Lowercase hex SHA-256 of the RFC 8785 JSON of the step before. */
  prev: string;
  entry: IssuerEntry;
}

/** An applied proposal with its co-signatures. */
export interface ProposalStep {
  sequence: number;
  kind: 'proposal';
  appliedAt: string;
  prev: string;
  proposal: Proposal;
}

export type GovernanceStep = GenesisStep | AdmitStep | ProposalStep;

/** `<dir>/registry.json`, served at `/.well-known/agent-trust.json`. */
export interface RegistryDocument {
  $schema?: string;
  version: typeof REGISTRY_FORMAT_VERSION;
  /** RFC 7638 thumbprint of the root public key (as in the genesis step). */
  registry: string;
  /** Number of applied steps (genesis is 1). */
  sequence: number;
  updatedAt: string;
  expiresAt: string;
  /** Active issuers sorted by id, each exactly as the step that last set it left it. */
  issuers: IssuerEntry[];
  /** Removed issuers in the order they were removed. */
  revoked: RevokedIssuer[];
  threshold: Threshold;
  governance: GovernanceStep[];
  /** `ed25519:<base64url>` over the RFC 8785 JSON of the document without `rootSignature`. */
  rootSignature: string;
}

/**
 * The registry as governance left it after some step: what `replayGovernance` returns and `applyProposal`
 * advances. Plain data; build a document from it with `signRegistryDocument`.
 */
export interface RegistryState {
  readonly registry: string;
  readonly rootKey: string;
  /** Sequence of the last applied step. */
  readonly sequence: number;
  /** Hash of the last applied step (`governanceStepHash`). */
  readonly chainHash: string;
  readonly lastAppliedAt: string;
  readonly threshold: Threshold;
  /** Active issuers sorted by id. */
  readonly issuers: readonly IssuerEntry[];
  readonly revoked: readonly RevokedIssuer[];
  /** Every key ever registered → the only id it may ever belong to. */
  readonly keyOwners: Readonly<Record<string, string>>;
  /** Active issuer id → sequence of the step that last set its entry. */
  readonly origins: Readonly<Record<string, number>>;
  /** Every step applied so far, genesis first. */
  readonly governance: readonly GovernanceStep[];
}

/** The rule a verification failure breaks (see `verifyRegistry`). */
export type RegistryRule = 1 | 2 | 3 | 4 | 5;

/** Why a co-signature was not counted towards a quorum. */
export type IgnoredSignatureReason =
  'duplicate-signer' | 'subject' | 'revoked' | 'unknown' | 'duplicate-key' | 'invalid-signature';

export interface IgnoredSignature {
  issuerId: string;
  reason: IgnoredSignatureReason;
}

/** The outcome of counting the co-signatures of one entry or proposal against a registry state. */
export interface QuorumResult {
  met: boolean;
  /** Distinct active issuers, other than the subject, with a valid signature. */
  valid: number;
  required: number;
  /** The ids counted, in signature order. */
  signers: string[];
  ignored: IgnoredSignature[];
  /** `signed by n/m`. */
  text: string;
}

/** One broken rule, named by rule number, step (sequence) and issuer where they apply. */
export interface RegistryFailure {
  rule: RegistryRule;
  code: VouchErrorCode;
  /** The governance step (its sequence) the failure is about. */
  step?: number;
  /** The issuer the failure is about (the step's subject, or the entry that differs). */
  issuerId?: string;
  message: string;
}

/** What verification found for one governance step. */
export interface StepReport {
  sequence: number;
  kind: GovernanceStep['kind'];
  action?: ProposalAction;
  subject?: string;
  /** `governanceStepHash` of the step. */
  hash: string;
  /** Absent for genesis, which the root key signs alone. */
  quorum?: QuorumResult;
}

/** "Signed by n/m" for one active issuer: the step that last set its entry and how that step was co-signed. */
export interface EntryReport {
  id: string;
  /** Sequence of the step that last set the entry. */
  step: number;
  kind: GovernanceStep['kind'];
  /** Distinct counted co-signers (0 for genesis). */
  signedBy: number;
  /** Co-signatures required at that step (0 for genesis). */
  required: number;
  signers: string[];
  /** `signed by 3/3`, or `genesis (root key)`. */
  text: string;
}

/** The report of `verifyRegistry`. `valid` is true only when `failures` is empty. */
export interface RegistryVerification {
  valid: boolean;
  registry: string;
  sequence: number;
  /** Hash of the last governance step: keep `{sequence, chainHash}` as the next `lastSeen`. */
  chainHash?: string;
  /** The one reference time every time check used (ISO-8601). */
  checkedAt: string;
  expiresAt: string;
  threshold: Threshold;
  entries: EntryReport[];
  steps: StepReport[];
  failures: RegistryFailure[];
}
