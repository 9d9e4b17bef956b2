import type { AppContext } from '../../../context.ts';
import { ApiError } from '../../../errors.ts';
import type { AgentDomainPort, AgentRef, DomainProofAudit } from '../domain-port.ts';
import type { Db } from '../store.ts';
import { findChallenge } from './challenge.ts';
import type { DomainMethod } from './challenge.ts';
import type { DomainChecker, MethodFailure } from './check.ts';
import { normalizeDomain } from './domain-name.ts';

/** The answer of `POST /v1/identity/{slug}/verify-domain` (Treeship's shape, plus `method` and `errors`). */
export interface VerifyDomainResult {
  verified: boolean;
  domain: string;
  /** How the domain was proven, when verified. */
  method?: DomainMethod;
  /** ISO-8601, when verified: since when the proof has stood (a standing proof proven again keeps its first time). */
  verified_at?: string;
  /** Why each method failed, when not verified. */
  errors?: Partial<Record<DomainMethod, MethodFailure>>;
}

/**
 * Checks the agent's current challenge for `domain` by DNS TXT, meta tag and well-known file, and records the
 * proof through the agents module's port when one method holds the token (with the token, which re-checks look for).
 * Throws `DOMAIN_INVALID`, `AGENT_REVOKED`, `DOMAIN_CHALLENGE_NOT_FOUND` (never requested),
 * `DOMAIN_CHALLENGE_EXPIRED` (older than 24 h) or, from the port, `DOMAIN_PROOF_LIMIT` (a new domain of an agent
 * at the limit: asked first, so no traffic reaches the domain, and again when recording); a domain that
 * does not prove is `{verified: false, errors}`, not an error. `hold` runs in the transaction that records the proof (the caller's credential, still live after the
 * checks' seconds: see {@link AgentDomainPort.holdCaller}). `audit` names the caller and request for the
 * `agent.verify_domain` entry of a newly recorded proof (see {@link AgentDomainPort.recordDomainProof}).
 *
 * @example
 * const r = await verifyDomain(ctx, port, checker, agent, 'agent.example.com');
 * if (r.verified) console.log(r.method, r.verified_at);
 */
export async function verifyDomain(
  ctx: AppContext,
  port: AgentDomainPort,
  checker: DomainChecker,
  agent: AgentRef,
  domainInput: string,
  onUnexpected?: (err: unknown) => void,
  hold?: (trx: Db) => Promise<void>,
  audit?: DomainProofAudit,
): Promise<VerifyDomainResult> {
  const domain = normalizeDomain(domainInput);
  if (agent.status === 'revoked') throw new ApiError('AGENT_REVOKED', 'This agent is revoked.');
  // First: a proof that could not be recorded sends no DNS query or web request to the domain, and whatever the
  // state of its challenge, the limit is what stands in the way.
  await port.assertRoomForDomainProof(agent.id, domain);
  const now = ctx.clock.now();
  const challenge = await findChallenge(ctx.storage.db, agent.id, domain);
  if (challenge === undefined) {
    throw new ApiError(
      'DOMAIN_CHALLENGE_NOT_FOUND',
      `No challenge was issued for ${domain}; request one from GET /v1/identity/{slug}/domain-challenge first.`,
    );
  }
  if (challenge.expires_at <= now) {
    throw new ApiError(
      'DOMAIN_CHALLENGE_EXPIRED',
      `The challenge for ${domain} expired; request a new one and publish its token.`,
    );
  }
  const outcome = await checker.check(domain, challenge.token, onUnexpected);
  if (!outcome.verified) return { verified: false, domain, errors: outcome.errors };
  // The answer is the proof as stored: proven again, it has stood since its first verified_at.
  const stored = await port.recordDomainProof(
    agent.id,
    domain,
    outcome.method,
    ctx.clock.now(),
    challenge.token,
    hold,
    audit,
  );
  return { verified: true, domain, method: stored.method, verified_at: new Date(stored.verifiedAt).toISOString() };
}
