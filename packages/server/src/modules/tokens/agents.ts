// How the tokens module sees agents: a small port over the agents module's service functions, so this module
// never touches the agents tables and tests (or embedders) can stand in for the whole agents module.
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { Principal } from '../../http/policy.ts';
import type { Db } from './store.ts';
import { holdCredential } from '../agents/auth.ts';
import { findAgent, holdAgent, listAgents, verifyAgentSignature } from '../agents/service.ts';
import { idFromDid } from '../agents/ids.ts';
import type { Agent, HeldAgent } from '../agents/service.ts';
import { perApp } from '../../per-app.ts';

/** What a token needs to know about its agent. */
export interface TokenAgent {
  /** `did:identity:<id>`: the token's `sub`. */
  did: string;
  slug: string | null;
  name: string | null;
  status: 'unclaimed' | 'claimed' | 'revoked';
  ownerId: string | null;
  /** The current Ed25519 key, standard base64 of its 32 bytes; null if the agent has none. */
  publicKey: string | null;
}

export interface AgentDirectory {
  /** The agent named by its DID, internal id or slug, revoked or not; undefined when there is none. */
  find(ref: string): Promise<TokenAgent | undefined>;
  /**
   * Whether `signatureBase64` (standard base64 Ed25519) is the agent's signature over `message` by its current key.
   * Throws an `ApiError` (e.g. `AGENT_HAS_NO_KEY`) when the agent cannot sign at all.
   */
  verifySignature(agent: TokenAgent, message: string, signatureBase64: string): Promise<boolean>;
  /** Agents for discovery, oldest first, after the `after` DID; `[]` when the agents module cannot list. */
  list(options: { limit: number; after?: string }): Promise<TokenAgent[]>;
  /**
   * In the transaction that records a token: whether the agent still exists unrevoked (`revoked` if not) and, with
   * `key`, still has that key, the one its proof was checked with (`rotated` if not); held so that a revocation or
   * key rotation of the agent either committed before (seen here) or waits for `trx` and then revokes what it
   * recorded.
   */
  hold(trx: Db, agent: TokenAgent, key?: string | null): Promise<HeldAgent>;
}

function toTokenAgent(a: Agent): TokenAgent {
  return { did: a.did, slug: a.slug, name: a.name, status: a.status, ownerId: a.ownerId, publicKey: a.publicKey };
}

/** The agents module's service behind the port. */
function serviceDirectory(ctx: AppContext): AgentDirectory {
  return {
    async find(ref) {
      const a = await findAgent(ctx, ref);
      return a === undefined ? undefined : toTokenAgent(a);
    },
    verifySignature: (agent, message, signatureBase64) => verifyAgentSignature(agent, message, signatureBase64),
    async list(options) {
      return (await listAgents(ctx, options)).map(toTokenAgent);
    },
    async hold(trx, agent, key) {
      const id = idFromDid(agent.did);
      return id === undefined ? 'revoked' : holdAgent(ctx, trx, id, key);
    },
  };
}

const overrides = new WeakMap<AppContext, AgentDirectory>();

/**
 * Replaces, for one app, how the tokens module finds agents (tests; an embedder with its own agent store).
 *
 * @example
 * const { ctx } = await makeApp(storage);
 * setAgentDirectory(ctx, fakeDirectory);
 */
export function setAgentDirectory(ctx: AppContext, directory: AgentDirectory): void {
  overrides.set(ctx, directory);
}

/** Whether `ctx` has a replaced directory (then nothing about its agents is cached). */
export function hasAgentDirectoryOverride(ctx: AppContext): boolean {
  return overrides.has(ctx);
}

const serviceDirectoryOf = perApp(serviceDirectory);

/** The directory the tokens module uses for `ctx`. */
export function agentDirectory(ctx: AppContext): AgentDirectory {
  return overrides.get(ctx) ?? serviceDirectoryOf(ctx);
}

/**
 * In the transaction that acts on `req`: 401 `UNAUTHORIZED` unless the owner API key that authenticated it is still
 * live (a no-op for the admin). An owner rotates a leaked key to cut off its thief, also for a request the old key
 * authenticated that has not acted yet; share-locked on PostgreSQL, so a rotation either committed first or waits.
 */
export function holdRequestCredential(ctx: AppContext, trx: Db, req: FastifyRequest): Promise<void> {
  return holdCredential(trx, ctx.storage.engine, req, ctx.clock.now());
}

/** Whether `principal` may act for `agent` as its owner or the admin. */
export function mayActFor(principal: Principal | null, agent: TokenAgent): boolean {
  if (principal === null) return false;
  if (principal.caller === 'admin') return true;
  return principal.caller === 'owner' && agent.ownerId !== null && agent.ownerId === principal.id;
}
