import type { AppContext } from '../../../context.ts';
import type { DomainRecheckPort, DomainRecheckResult } from '../domain-port.ts';
import { DOMAIN_METHODS } from './challenge.ts';
import type { DomainMethod } from './challenge.ts';
import type { CheckOutcome, DomainChecker } from './check.ts';

/** Proofs one pass claims at most: bounded work per pass, whatever the backlog. */
export const RECHECK_BATCH = 50;
/** Checks run at once within a pass (each takes at most a DNS and a web deadline). */
const CONCURRENCY = 4;
/**
 * How long a claim holds a proof: longer than a pass can take (a batch at CONCURRENCY, each check two 5 s deadlines),
 * so that no other process checks it meanwhile; a process that dies mid-pass frees its proofs when this runs out.
 */
export const RECHECK_CLAIM_MS = 10 * 60 * 1000;

export interface RecheckOptions {
  /** Most proofs checked in this pass; default {@link RECHECK_BATCH}. */
  limit?: number;
  /** Told of errors a check or a write did not expect (already counted in `errors`); never given a token. */
  onUnexpected?: (err: unknown) => void;
  /** Stops the pass from starting further checks (server shutdown); claimed proofs left are re-claimed later. */
  signal?: AbortSignal;
}

/** What one pass did: proofs claimed, and how each ended. */
export interface RecheckSummary {
  claimed: number;
  kept: number;
  lapsed: Array<{ agentId: string; domain: string }>;
  /** Outcomes not recorded because the proof changed meanwhile (proven again, or the agent revoked). */
  stale: number;
  /** Proofs whose outcome could not be recorded (e.g. the database failed); they are re-claimed later. */
  errors: number;
}

/**
 * One re-check pass: claims up to `limit` domain proofs whose last check is older than
 * `VOUCH_DOMAIN_RECHECK_INTERVAL` (none when it is off), checks each with `checker` for the token that proved it (by
 * the method stored with the proof first, then the two others), and records the outcome through the agents module's
 * port, with the method that found it. A proof not found lapses
 * once its last success is older than `VOUCH_DOMAIN_PROOF_GRACE`; a failure within the grace keeps it. A proof with
 * no stored token cannot be found. Only a failed claim rejects; everything after it is counted in the summary.
 *
 * @example
 * const summary = await recheckDomains(ctx, createAgentDomainPort(ctx), createDomainChecker(ctx.config));
 * summary.lapsed; // [{ agentId, domain }, ...]
 */
export async function recheckDomains(
  ctx: AppContext,
  port: DomainRecheckPort,
  checker: DomainChecker,
  options: RecheckOptions = {},
): Promise<RecheckSummary> {
  const summary: RecheckSummary = { claimed: 0, kept: 0, lapsed: [], stale: 0, errors: 0 };
  const interval = ctx.config.domainRecheckIntervalMs;
  if (interval <= 0 || options.signal?.aborted) return summary;
  const now = ctx.clock.now();
  const claims = await port.claimDueDomainProofs({
    now,
    checkedBefore: now - interval,
    leaseUntil: now + RECHECK_CLAIM_MS,
    limit: options.limit ?? RECHECK_BATCH,
  });
  summary.claimed = claims.length;
  const count = (result: DomainRecheckResult, claim: (typeof claims)[number]) => {
    if (result === 'kept') summary.kept++;
    else if (result === 'stale') summary.stale++;
    else summary.lapsed.push({ agentId: claim.agentId, domain: claim.domain });
  };

  let next = 0;
  const worker = async () => {
    while (next < claims.length && !options.signal?.aborted) {
      const claim = claims[next++]!;
      try {
        const outcome: CheckOutcome =
          claim.token === null
            ? { verified: false, errors: {} }
            : await checker.check(claim.domain, claim.token, options.onUnexpected, storedMethod(claim.method));
        const at = ctx.clock.now();
        const failures: Record<string, string> = {};
        if (!outcome.verified) {
          for (const method of DOMAIN_METHODS) {
            const failure = outcome.errors[method];
            if (failure !== undefined) failures[method] = failure.code;
          }
          // The audit entry says why nothing could be checked ("token" would read as a secret there).
          if (claim.token === null) failures.recheck = 'NO_STORED_CHALLENGE';
        }
        const result = await port.recordDomainRecheck(
          claim,
          outcome.verified ? { found: true, method: outcome.method } : { found: false, failures },
          at,
          at - ctx.config.domainProofGraceMs,
        );
        count(result, claim);
      } catch (err) {
        summary.errors++;
        options.onUnexpected?.(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, claims.length) }, worker));
  return summary;
}

/** The stored method, when it is one a check knows (any other starts from DNS TXT, as verify-domain does). */
function storedMethod(method: string): DomainMethod | undefined {
  return (DOMAIN_METHODS as readonly string[]).includes(method) ? (method as DomainMethod) : undefined;
}
