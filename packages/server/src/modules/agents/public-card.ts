// The public face of an agent and its owner, as the resolve answer and the signature view show them: one builder
// and one response schema, so the two answers cannot drift apart.
import type { Agent, AgentStatus, OwnerSummary } from './service.ts';

/** What anyone may see of an agent. */
export interface PublicAgentCard {
  did: string;
  publicName: string | null;
  handle: string | null;
  status: AgentStatus;
  activeSince: number;
  /** The agent's current Ed25519 key (standard base64), or null. */
  publicKey: string | null;
}

/** What anyone may see of an agent's owner. */
export interface PublicOwnerCard {
  name: string;
  handle: string;
}

export function publicAgentCard(agent: Agent): PublicAgentCard {
  return {
    did: agent.did,
    publicName: agent.name,
    handle: agent.slug,
    status: agent.status,
    activeSince: agent.createdAt,
    publicKey: agent.publicKey,
  };
}

export function publicOwnerCard(owner: OwnerSummary | null): PublicOwnerCard | null {
  return owner === null ? null : { name: owner.name, handle: owner.handle };
}

/** Response-schema properties of {@link PublicAgentCard}, to spread into a larger card's `properties`. */
export const publicAgentCardProperties = {
  did: { type: 'string' },
  publicName: { type: ['string', 'null'] },
  handle: { type: ['string', 'null'] },
  status: { type: 'string' },
  activeSince: { type: 'integer' },
  publicKey: { type: ['string', 'null'] },
} as const;

export const publicOwnerCardSchema = {
  type: ['object', 'null'],
  properties: { name: { type: 'string' }, handle: { type: 'string' } },
} as const;
