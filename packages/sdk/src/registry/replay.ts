import { array, index, root } from './lib/shape.ts';
import { commit, genesisLedger, planStep, toState, type Ledger, type Plan, type Problem } from './lib/ledger.ts';
import { checkStep } from './document.ts';
import { REGISTRY_LIMITS } from './limits.ts';
import type { GovernanceStep, RegistryFailure, RegistryState } from './types.ts';

/** Internal: a replay with everything verification needs (plans to count, the hash of every step). */
export interface Replay {
  ledger?: Ledger;
  /** Plans of the steps after genesis, in order. */
  plans: Plan[];
  /** `governanceStepHash` of every step, genesis first. */
  hashes: string[];
  failures: RegistryFailure[];
}

function failure(p: Problem, step: number): RegistryFailure {
  return {
    rule: p.rule,
    code: p.code,
    step,
    ...(p.issuerId !== undefined ? { issuerId: p.issuerId } : {}),
    message: p.message,
  };
}

/**
 * Internal: replays validated steps; `onPlan` sees each step's plan as soon as it is made; `hashes`, when given, are
 * the steps' `governanceStepHash`es computed already.
 */
export function replay(
  governance: readonly GovernanceStep[],
  onPlan?: (plan: Plan) => void,
  hashes?: readonly string[],
): Replay {
  const failures: RegistryFailure[] = [];
  const first = governance[0];
  if (first === undefined || first.kind !== 'genesis') {
    failures.push({
      rule: 2,
      code: 'REGISTRY_CHAIN_BROKEN',
      step: 1,
      message: 'governance must start with the genesis step.',
    });
    return { plans: [], hashes: [], failures };
  }
  const { ledger, problems } = genesisLedger(first, hashes?.[0]);
  for (const p of problems) failures.push(failure(p, 1));
  const chain = [ledger.chainHash];
  const plans: Plan[] = [];
  for (let i = 1; i < governance.length; i++) {
    const plan = planStep(ledger, governance[i]!);
    onPlan?.(plan);
    for (const p of plan.problems) failures.push(failure(p, plan.sequence));
    const bounds = commit(ledger, plan, hashes?.[i]);
    if (bounds)
      failures.push(failure({ ...bounds, ...(plan.subject ? { issuerId: plan.subject } : {}) }, plan.sequence));
    chain.push(ledger.chainHash);
    plans.push(plan);
  }
  return { ledger, plans, hashes: chain, failures };
}

/** The result of {@link replayGovernance}. */
export interface GovernanceReplay {
  /** The state the steps lead to; absent when the first step is not a genesis step. */
  state?: RegistryState;
  /** Rules 2 (chain, applicability, key reuse — not quorum) and 5 (threshold bounds) broken along the way. */
  failures: RegistryFailure[];
}

/**
 * Replays governance steps from genesis — the pure state machine shared by `vouch registry build`, the server
 * authority and `verifyRegistry` — and returns the state they lead to with every structural rule they break:
 * the hash chain (`prev`, `sequence`, `appliedAt` order), steps that cannot apply (stale `baseSequence`, expired or
 * foreign proposals, unknown subjects, an id or key registered before), and threshold bounds after each step.
 * Co-signatures are NOT checked here (that is async): use `verifyRegistry` for a document, `checkQuorum` for a
 * pending change. Step shapes are validated first (`REGISTRY_INVALID`).
 *
 * @example
 * ```ts
 * const { state, failures } = replayGovernance(doc.governance);
 * if (state && failures.length === 0) console.log(state.sequence, state.threshold);
 * ```
 */
export function replayGovernance(governance: readonly GovernanceStep[]): GovernanceReplay {
  const at = root(undefined, 'governance');
  array(governance, at, REGISTRY_LIMITS.maxSteps);
  governance.forEach((s, i) => checkStep(s, index(at, i)));
  const { ledger, failures } = replay(governance);
  return ledger === undefined ? { failures } : { state: toState(ledger), failures };
}
