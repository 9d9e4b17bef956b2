import { VouchError } from '../errors.ts';
import { formatPublicKey } from '../keys/format.ts';
import { isPublicKey, type PublicKey } from '../keys/key.ts';
import { parsePublicKey } from '../keys/parse-public.ts';
import { validateIssuerEntry } from './entry.ts';
import { REGISTRY_LIMITS } from './limits.ts';
import { checkState, commit, fromState, genesisLedger, planStep, toState, type Problem } from './lib/ledger.ts';
import { toIso, type TimeInput } from './lib/time.ts';
import { validateProposal } from './proposal.ts';
import { registryIdOf } from './registry-id.ts';
import type { GenesisStep, GovernanceStep, IssuerEntry, Proposal, ProposalStep, RegistryState } from './types.ts';

/** A state and the step that led to it. */
export interface AppliedStep {
  state: RegistryState;
  step: GovernanceStep;
}

/** When the step is applied; recorded as its `appliedAt`. Must not be earlier than the state's last step. */
export interface ApplyOptions {
  appliedAt: TimeInput;
}

function refuse(problems: readonly Problem[]): never {
  throw new VouchError(problems[0]!.code, problems.map((p) => p.message).join(' '));
}

function withoutSchema<T extends { $schema?: string }>(value: T): Omit<T, '$schema'> {
  const { $schema: _ignored, ...rest } = value;
  return rest;
}

function advance(state: RegistryState, step: ProposalStep): AppliedStep {
  const ledger = fromState(state);
  const plan = planStep(ledger, step);
  if (plan.problems.length > 0) refuse(plan.problems);
  if (plan.apply === undefined) throw new VouchError('REGISTRY_STEP_INVALID', 'The step has no effect.');
  const bounds = commit(ledger, plan);
  if (bounds) refuse([bounds]);
  // A document holds no more (the validator refuses it): such a step would be signed into one no verifier reads.
  // Checked here, where steps are made, not on replay: documents past them are refused as malformed already.
  const { maxIssuers, maxSteps } = REGISTRY_LIMITS;
  if (ledger.issuers.size > maxIssuers) {
    throw new VouchError('REGISTRY_STEP_INVALID', `A registry holds at most ${maxIssuers} active issuers.`);
  }
  if (ledger.sequence > maxSteps) {
    throw new VouchError('REGISTRY_STEP_INVALID', `A registry holds at most ${maxSteps} governance steps.`);
  }
  return { state: toState(ledger), step };
}

/**
 * Throws `REGISTRY_THRESHOLD_INVALID` for a threshold above `REGISTRY_LIMITS.maxSignatures`: a proposal carries at
 * most that many co-signatures, so a higher threshold could never be met again, not even by a proposal lowering it,
 * and governance would be frozen for good. Refused when a registry is made, changed or taken in (an authority's
 * uploaded genesis); replay (verification) still reads documents that hold one.
 *
 * @example
 * assertThresholdReachable(doc.threshold.required);
 */
export function assertThresholdReachable(required: number): void {
  const max = REGISTRY_LIMITS.maxSignatures;
  if (required > max) {
    throw new VouchError(
      'REGISTRY_THRESHOLD_INVALID',
      `threshold ${required} is more than the ${max} co-signatures a proposal can carry: no later change could apply.`,
    );
  }
}

/** Options of {@link applyGenesis}. */
export interface GenesisOptions {
  /** The root public key (the private half signs documents: `signRegistryDocument`). */
  rootKey: PublicKey | string;
  /**
   * The founding issuers (at least 3), chosen by the root key alone; their `signatures`, if any, are kept as given
   * and count for nothing.
   */
  issuers: readonly IssuerEntry[];
  /** Co-signatures every later step needs: 2 ≤ threshold ≤ issuers − 1. */
  threshold: number;
  appliedAt: TimeInput;
}

/**
 * Starts a registry: the genesis step (sequence 1, the only step the root key signs alone) and the state after it.
 * Issuers are sorted by id and stripped of `$schema`. Throws `REGISTRY_INVALID` for a malformed entry,
 * `REGISTRY_STEP_INVALID` for a repeated id or key, `REGISTRY_THRESHOLD_INVALID` outside 2 ≤ threshold ≤ n − 1 or
 * above `REGISTRY_LIMITS.maxSignatures`.
 * `createGenesis` does this and signs the first document.
 *
 * @example
 * ```ts
 * const { state } = applyGenesis({ rootKey: root.publicKey, issuers: [a, b, c], threshold: 2, appliedAt: now });
 * ```
 */
export function applyGenesis(options: GenesisOptions): AppliedStep {
  if (typeof options !== 'object' || options === null) {
    throw new VouchError('INVALID_ARGUMENT', 'applyGenesis expects {rootKey, issuers, threshold, appliedAt}.');
  }
  const key = isPublicKey(options.rootKey) ? options.rootKey : parsePublicKey(options.rootKey, { type: 'Ed25519' });
  if (key.type !== 'Ed25519') throw new VouchError('WRONG_CURVE', 'A registry root key is an Ed25519 key.');
  if (!Array.isArray(options.issuers)) throw new VouchError('INVALID_ARGUMENT', 'issuers must be an array of entries.');
  const issuers = options.issuers
    .map((e, i) => withoutSchema(validateIssuerEntry(e, { source: `issuers[${i}]` })) as IssuerEntry)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (!Number.isSafeInteger(options.threshold)) {
    throw new VouchError('INVALID_ARGUMENT', 'The threshold must be an integer.');
  }
  assertThresholdReachable(options.threshold);
  const rootKey = formatPublicKey(key, 'registry');
  const step: GenesisStep = {
    sequence: 1,
    kind: 'genesis',
    appliedAt: toIso(options.appliedAt, 'appliedAt'),
    registry: registryIdOf(key),
    rootKey,
    threshold: { required: options.threshold },
    issuers,
  };
  const { ledger, problems } = genesisLedger(step);
  if (problems.length > 0) refuse(problems);
  return { state: toState(ledger), step };
}

/**
 * Applies a proposal as the next step: pure, no signature check — call `checkQuorum(state, proposal)` first;
 * `verifyRegistry` re-checks everything. The proposal must name this registry, have `baseSequence` equal to the
 * state's sequence, not be expired at `appliedAt`, and make sense (`add` a new or removed id, `update`/`remove` an
 * active one, no key under two ids, not past `REGISTRY_LIMITS`' issuers or steps); the threshold must stay within
 * 2 ≤ required ≤ total − 1 afterwards, and a threshold proposal may not set more than `REGISTRY_LIMITS.maxSignatures`
 * (a proposal could never meet it again).
 * Throws `REGISTRY_STEP_INVALID`, `REGISTRY_CHAIN_BROKEN` or `REGISTRY_THRESHOLD_INVALID`.
 *
 * @example
 * ```ts
 * const q = await checkQuorum(state, proposal);
 * if (q.met) ({ state } = applyProposal(state, proposal, { appliedAt: clock.now() }));
 * ```
 */
export function applyProposal(state: RegistryState, proposal: Proposal, options: ApplyOptions): AppliedStep {
  checkState(state);
  const valid = withoutSchema(validateProposal(proposal)) as Proposal;
  const step: ProposalStep = {
    sequence: state.sequence + 1,
    kind: 'proposal',
    // null options (a JavaScript caller): no appliedAt, refused as INVALID_ARGUMENT like {}
    appliedAt: toIso((options ?? {}).appliedAt, 'appliedAt'),
    prev: state.chainHash,
    proposal: valid,
  };
  const applied = advance(state, step);
  if (valid.action === 'threshold') assertThresholdReachable(valid.threshold!.required);
  return applied;
}
