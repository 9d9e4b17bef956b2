import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import type { Principal } from '../../http/policy.ts';
import { recordAudit } from '../../storage/index.ts';
import { actorOf, assertMayManage, holdAgentAndCredential } from './auth.ts';
import * as proofs from './domain-proof-store.ts';
import type { ClaimedDomainProof } from './domain-proof-store.ts';
import { didOf } from './ids.ts';
import { assertAgentActive, lookupAgentRow } from './service.ts';
import * as store from './store.ts';
import type { Db } from './store.ts';

export type { ClaimedDomainProof } from './domain-proof-store.ts';

/** What the domain-verification code needs to know about an agent. */
export interface AgentRef {
  id: string;
  did: string;
  slug: string | null;
  status: 'unclaimed' | 'claimed' | 'revoked';
}

/**
 * The agents module's side of domain verification: find an agent, check a principal may manage it, and record a
 * verified domain proof. Domain verification (`./domain/`) reaches agents only through this port.
 */
export interface AgentDomainPort {
  /** The agent with this DID, internal id or slug; ApiError NOT_FOUND otherwise. */
  resolve(idOrSlug: string): Promise<AgentRef>;
  /**
   * ApiError FORBIDDEN unless `principal` may manage `agent` (its management token, its agent signature, its owner,
   * or the admin); then ApiError AGENT_REVOKED (also 403) if the agent is revoked.
   */
  assertCanManage(principal: Principal | null, agent: AgentRef): Promise<void>;
  /**
   * Inside the transaction (`db`) that acts on `req` for `agent`, locks the agent's row and then holds the request's
   * credential to what it was when the request was authenticated: an owner key or management token rotated or
   * revoked meanwhile is ApiError UNAUTHORIZED (401); an agent revoked meanwhile is ApiError AGENT_REVOKED (403).
   * Returns the agent as locked: its slug may have changed since `agent` was read.
   */
  holdCaller(db: Db, req: FastifyRequest, agent: AgentRef): Promise<AgentRef>;
  /**
   * ApiError DOMAIN_PROOF_LIMIT (409) when `domain` is new to an agent that holds `MAX_DOMAIN_PROOFS` proofs: asked
   * before a challenge is issued (no token to publish for a proof that would be refused) and before a domain's
   * checks, so a proof that could not be recorded sends no DNS query or web request. A read, not a reservation:
   * {@link recordDomainProof} counts again under the agent's lock.
   */
  assertRoomForDomainProof(agentId: string, domain: string): Promise<void>;
  /**
   * Records a verified domain proof: sets the agent's `verified_domain` and adds `{type: 'domain', value, verified_at}`
   * to its verified proofs, in one transaction, and returns the proof as stored. Idempotent (a domain verified again
   * keeps its first `verified_at`, as it has stood since then; it takes this `method` and `token`, which its re-checks
   * look for, starting over from `atMs`). ApiError NOT_FOUND for an unknown agent,
   * AGENT_REVOKED for a revoked one, DOMAIN_PROOF_LIMIT (409) for a new domain of an agent that holds
   * `MAX_DOMAIN_PROOFS` proofs. Without `token` the proof cannot be re-checked, and lapses after its grace.
   * `hold` runs in the transaction right after the agent's row is locked: a request's {@link holdCaller} (which takes
   * the same row again, a no-op), since a domain check can take seconds, in which the caller's credential may be
   * revoked.
   * A proof newly recorded (a domain the agent had no proof of, or one that becomes its `verified_domain` again) is
   * audited as `agent.verify_domain` in that transaction, with `audit`'s caller and request (actor `system` without
   * one); proving the agent's verified domain again only refreshes its re-checks, and is not audited.
   */
  recordDomainProof(
    agentId: string,
    domain: string,
    method: 'dns_txt' | 'meta_tag' | 'file',
    atMs: number,
    token?: string,
    hold?: (trx: Db) => Promise<void>,
    audit?: DomainProofAudit,
  ): Promise<StoredDomainProof>;
}

/** A domain proof as recorded: how it was last proven, and since when it has stood (ms). */
export interface StoredDomainProof {
  method: 'dns_txt' | 'meta_tag' | 'file';
  verifiedAt: number;
}

/** Who recorded a domain proof, for its audit entry. */
export interface DomainProofAudit {
  principal: Principal;
  requestId: string;
}

/** How one re-check of a claimed domain proof ended, as recorded. */
export type DomainRecheckResult =
  /** Found again, or not found but still within its grace: the proof stands, its check times moved. */
  | 'kept'
  /** Not found, and its last success is older than the grace: deleted, and audited. */
  | 'lapsed'
  /** The proof changed since the claim (proven again, lapsed, or the agent revoked): nothing was recorded. */
  | 'stale';

/**
 * The agents module's side of re-checking domain proofs: claim the due ones (never the proofs of revoked agents), and
 * record each outcome. Domain verification's re-check pass (`./domain/recheck.ts`) uses only this.
 */
export interface DomainRecheckPort {
  /**
   * Claims up to `limit` proofs last checked at or before `checkedBefore`, oldest first, holding each until
   * `leaseUntil`; a proof another process holds is never returned (see `claimDueDomainProofs`).
   */
  claimDueDomainProofs(c: {
    now: number;
    checkedBefore: number;
    leaseUntil: number;
    limit: number;
  }): Promise<ClaimedDomainProof[]>;
  /**
   * Records the outcome of checking `claim` at `atMs`; found, with the method that found it, which the next re-check
   * tries first (a method other than the claim's is audited as `agent.domain_method_changed` with the domain, the old
   * and the new method, in the same transaction). When it was not found and its last success is at or before
   * `lapseBefore`, the proof lapses: in one transaction its row goes, the agent's `verified_domain` (if it was this
   * domain) becomes its most recently found other domain or null, and an `agent.domain_lapsed` audit entry records
   * the domain, the last success and `failures` (codes only).
   */
  recordDomainRecheck(
    claim: ClaimedDomainProof,
    outcome: { found: true; method: StoredDomainProof['method'] } | { found: false; failures: Record<string, string> },
    atMs: number,
    lapseBefore: number,
  ): Promise<DomainRecheckResult>;
}

/** The agents module's implementation of {@link AgentDomainPort} and {@link DomainRecheckPort}. */
export function createAgentDomainPort(ctx: AppContext): AgentDomainPort & DomainRecheckPort {
  const db = ctx.storage.db;
  return {
    async resolve(idOrSlug) {
      const row = await lookupAgentRow(db, idOrSlug);
      if (row === undefined) throw new ApiError('NOT_FOUND', 'No agent has this slug, DID or id.');
      return { id: row.id, did: didOf(row.id), slug: row.slug, status: row.status };
    },
    async assertCanManage(principal, agent) {
      const row = await store.findAgentById(db, agent.id);
      if (row === undefined) throw new ApiError('NOT_FOUND', 'No agent has this slug, DID or id.');
      assertMayManage(principal, row);
      assertAgentActive(row);
    },
    async holdCaller(trx, req, agent) {
      const row = await holdAgentAndCredential(trx, ctx.storage.engine, req, agent.id, ctx.clock.now());
      if (row === undefined) throw new ApiError('NOT_FOUND', 'No agent has this slug, DID or id.');
      // The row as locked: a revocation (or a slug change) committed since `agent` was read is seen here.
      assertAgentActive(row);
      return { id: row.id, did: didOf(row.id), slug: row.slug, status: row.status };
    },
    async assertRoomForDomainProof(agentId, domain) {
      await assertRoom(db, agentId, domain);
    },
    recordDomainProof(agentId, domain, method, atMs, token, hold, audit) {
      return db.transaction().execute(async (trx): Promise<StoredDomainProof> => {
        const row = await store.lockAgent(trx, ctx.storage.engine, agentId);
        if (row === undefined) throw new ApiError('NOT_FOUND', 'No agent has this id.');
        await hold?.(trx);
        assertAgentActive(row);
        // Read and counted under the agent's lock, which every proof's writer (and a lapse) takes: the proof cannot
        // go between this and the upsert, and concurrent proofs of new domains cannot all pass the limit.
        const known = await assertRoom(trx, agentId, domain);
        const upserted = await proofs.upsertDomainProof(trx, { agentId, domain, method, token, at: atMs });
        const stored = { method: upserted.method as StoredDomainProof['method'], verifiedAt: upserted.verifiedAt };
        if (row.verified_domain !== domain) await proofs.setAgentDomain(trx, agentId, domain, atMs);
        // The same verified domain proven again changes neither the profile nor the proof's first time.
        if (known && row.verified_domain === domain) return stored;
        await recordAudit(trx, {
          at: atMs,
          actor: audit === undefined ? 'system' : actorOf(audit.principal),
          action: 'agent.verify_domain',
          target: didOf(agentId),
          // Never the challenge token: whoever holds it can prove the domain again until it expires.
          details: { ...(audit === undefined ? {} : { by: audit.principal.caller }), domain, method },
          requestId: audit?.requestId,
        });
        return stored;
      });
    },
    claimDueDomainProofs(c) {
      return proofs.claimDueDomainProofs(db, ctx.storage.engine, c);
    },
    async recordDomainRecheck(claim, outcome, atMs, lapseBefore) {
      if (outcome.found && outcome.method !== claim.method) {
        const method = outcome.method;
        return db.transaction().execute(async (trx): Promise<DomainRecheckResult> => {
          // Audited only when stored: a proof that changed since the claim records nothing, its method neither.
          if (!(await proofs.markDomainChecked(trx, claim, atMs, method))) return 'stale';
          await recordAudit(trx, {
            at: atMs,
            actor: 'domain-recheck',
            action: 'agent.domain_method_changed',
            target: didOf(claim.agentId),
            // Never the token: whoever holds it can prove the domain again.
            details: { domain: claim.domain, oldMethod: claim.method, newMethod: method },
          });
          return 'kept';
        });
      }
      if (outcome.found || claim.succeededAt > lapseBefore) {
        const found = outcome.found ? outcome.method : false;
        return (await proofs.markDomainChecked(db, claim, atMs, found)) ? 'kept' : 'stale';
      }
      return db.transaction().execute(async (trx): Promise<DomainRecheckResult> => {
        // The agent's row first, as recordDomainProof takes it: a proof recorded meanwhile wins.
        const row = await store.lockAgent(trx, ctx.storage.engine, claim.agentId);
        if (row === undefined || row.status === 'revoked') return 'stale';
        if (!(await proofs.deleteLapsedDomainProof(trx, claim, lapseBefore))) return 'stale';
        const replacedBy =
          row.verified_domain === claim.domain
            ? ((await proofs.latestDomainProof(trx, ctx.storage.engine, claim.agentId)) ?? null)
            : row.verified_domain;
        // Either way the proof leaves the profile's verified_proofs: its updated_at moves.
        if (replacedBy !== row.verified_domain) await proofs.setAgentDomain(trx, claim.agentId, replacedBy, atMs);
        else await store.touchAgent(trx, claim.agentId, atMs);
        await recordAudit(trx, {
          at: atMs,
          actor: 'domain-recheck',
          action: 'agent.domain_lapsed',
          target: didOf(claim.agentId),
          details: {
            domain: claim.domain,
            lastSucceededAt: new Date(claim.succeededAt).toISOString(),
            failures: outcome.failures,
            verifiedDomain: replacedBy,
          },
        });
        return 'lapsed';
      });
    },
  };
}

/** Whether the agent holds a proof of `domain`; ApiError DOMAIN_PROOF_LIMIT if not and it holds the most it may. */
async function assertRoom(db: Db, agentId: string, domain: string): Promise<boolean> {
  if (await proofs.hasDomainProof(db, agentId, domain)) return true;
  if ((await proofs.countDomainProofs(db, agentId)) >= proofs.MAX_DOMAIN_PROOFS) {
    throw new ApiError(
      'DOMAIN_PROOF_LIMIT',
      `This agent already holds ${proofs.MAX_DOMAIN_PROOFS} domain proofs; one must lapse (unpublish its token) ` +
        'before another domain can be proven.',
    );
  }
  return false;
}
