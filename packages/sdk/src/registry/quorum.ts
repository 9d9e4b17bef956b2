import { getDefaultCrypto } from '../crypto/default.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { VouchError } from '../errors.ts';
import { checkSignature } from './entry.ts';
import { root } from './lib/shape.ts';
import { checkState, countQuorum, fromState, planStep } from './lib/ledger.ts';
import { verifyPlanSignatures } from './lib/verify-signatures.ts';
import { validateProposal } from './proposal.ts';
import {
  PROPOSAL_TYPE,
  type GovernanceStep,
  type IgnoredSignatureReason,
  type IssuerSignature,
  type Proposal,
  type QuorumResult,
  type RegistryState,
} from './types.ts';

/** Options of {@link checkQuorum}. */
export interface CheckQuorumOptions {
  crypto?: CryptoProvider;
}

function asProposal(change: unknown): Proposal {
  if ((change as { type?: unknown } | null)?.type !== PROPOSAL_TYPE) {
    throw new VouchError(
      'REGISTRY_STEP_INVALID',
      'Only a proposal collects co-signatures: an issuer entry is admitted by an add proposal, whose signatures name ' +
        'the registry, the sequence and a deadline.',
    );
  }
  return validateProposal(change);
}

/**
 * Counts the co-signatures of a pending proposal against the current registry state, exactly as `verifyRegistry`
 * will count them once it is a step: distinct active issuers (a `Set` of ids and a `Set` of keys), never the subject
 * itself, revoked or unknown signers, a second signature by the same issuer, or a second id with the same key; each
 * signature verified against the signer's key at this state. Returns "signed by n/m" with the reason for every
 * signature that did not count. Whether the change may apply at all is `applyProposal`'s business. Anything but a
 * proposal (an issuer entry, which is admitted by an `add` proposal) throws `REGISTRY_STEP_INVALID`.
 *
 * @example
 * ```ts
 * const q = await checkQuorum(state, proposal);
 * q.text;    // 'signed by 2/3'
 * q.ignored; // [{ issuerId: 'acme', reason: 'subject' }]
 * ```
 */
export async function checkQuorum(
  state: RegistryState,
  change: Proposal,
  options: CheckQuorumOptions = {},
): Promise<QuorumResult> {
  checkState(state);
  const step: GovernanceStep = {
    sequence: state.sequence + 1,
    appliedAt: state.lastAppliedAt,
    prev: state.chainHash,
    kind: 'proposal',
    proposal: asProposal(change),
  };
  const plan = planStep(fromState(state), step);
  const [valid] = await verifyPlanSignatures([plan], options.crypto ?? getDefaultCrypto());
  return countQuorum(plan.candidates, valid!, plan.required);
}

/** The outcome of {@link checkCoSignature}. */
export type CoSignatureCheck = { counted: true } | { counted: false; reason: IgnoredSignatureReason };

/**
 * Checks one co-signature on its own, as the authority does when an issuer posts it: would it count towards the
 * quorum of `change` at this state (valid signature by an active issuer that is not the subject, and whose key
 * does not belong to a signer already on `change`)? An issuer already on `change` gives `duplicate-signer`. Throws
 * `REGISTRY_INVALID` for a malformed signature object.
 *
 * @example
 * ```ts
 * const check = await checkCoSignature(state, proposal, { issuerId, signature, signedAt });
 * if (!check.counted) throw new ApiError('VALIDATION_FAILED', `The signature does not count (${check.reason}).`);
 * ```
 */
export async function checkCoSignature(
  state: RegistryState,
  change: Proposal,
  signature: IssuerSignature,
  options: CheckQuorumOptions = {},
): Promise<CoSignatureCheck> {
  checkSignature(signature, root(undefined, 'signature'));
  // The signatures already on the change are read below: a malformed one is REGISTRY_INVALID, not a TypeError.
  const held = asProposal(change).signatures;
  const alone = await checkQuorum(state, { ...change, signatures: [signature] }, options);
  if (alone.ignored.length > 0) return { counted: false, reason: alone.ignored[0]!.reason };
  if (held.some((s) => s.issuerId === signature.issuerId)) return { counted: false, reason: 'duplicate-signer' };
  // One pass over each list (not a search of the issuers per held signature): the authority runs this on every
  // public co-signature, and a proposal may hold 1,000 signatures against 10,000 issuers.
  const keys = new Map<string, string>();
  for (const e of state.issuers) if (!keys.has(e.id)) keys.set(e.id, e.publicKey);
  const key = keys.get(signature.issuerId);
  if (held.some((s) => keys.get(s.issuerId) === key)) return { counted: false, reason: 'duplicate-key' };
  return { counted: true };
}
