import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import type { Principal } from '../../http/policy.ts';
import { assertMayManage } from './auth.ts';
import { didOf } from './ids.ts';
import { assertAgentActive, lookupAgentRow } from './service.ts';
import * as store from './store.ts';

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
   * Records a verified domain proof: sets the agent's `verified_domain` and adds `{type: 'domain', value, verified_at}`
   * to its verified proofs, in one transaction. Idempotent (a domain verified again keeps its first time).
   * ApiError NOT_FOUND for an unknown agent, AGENT_REVOKED for a revoked one.
   */
  recordDomainProof(
    agentId: string,
    domain: string,
    method: 'dns_txt' | 'meta_tag' | 'file',
    atMs: number,
  ): Promise<void>;
}

/** The agents module's implementation of {@link AgentDomainPort}. */
export function createAgentDomainPort(ctx: AppContext): AgentDomainPort {
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
    async recordDomainProof(agentId, domain, method, atMs) {
      await db.transaction().execute(async (trx) => {
        const row = await store.lockAgent(trx, ctx.storage.engine, agentId);
        if (row === undefined) throw new ApiError('NOT_FOUND', 'No agent has this id.');
        assertAgentActive(row);
        await store.insertProof(trx, { agent_id: agentId, type: 'domain', value: domain, method, verified_at: atMs });
        if (row.verified_domain !== domain) await store.setVerifiedDomain(trx, agentId, domain, atMs);
      });
    },
  };
}
