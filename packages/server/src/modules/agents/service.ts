// The agents module's service API: what other modules (tokens, signatures, capabilities, reputation, domain) call.
// They never query the agents tables themselves.
import { VouchError, decodeBase64, getDefaultCrypto, parsePublicKey, encodeUtf8 } from '@vouch/sdk';
import type { PublicKey } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { didOf, idFromDid, isId } from './ids.ts';
import { isSlug } from './slug.ts';
import { storedTools } from './tool-manifest.ts';
import { identityScore } from './score.ts';
import type { IdentityScore } from './score.ts';
import * as store from './store.ts';
import type { AgentRow, AgentStatus, Db } from './store.ts';

export type { AgentStatus } from './store.ts';
export type { IdentityScore, ScoreLine } from './score.ts';

/** An agent as other modules see it. Times are ms since the epoch. */
export interface Agent {
  /** 26 lowercase base32 characters. */
  id: string;
  /** `did:identity:<id>`. */
  did: string;
  slug: string | null;
  name: string | null;
  description: string | null;
  /** Current Ed25519 public key as standard base64 of its 32 bytes (identity.app's form); null if none. */
  publicKey: string | null;
  /**
   * Whether the holder of the current key proved possession of it here (a signed registration statement, or a
   * rotation); false for a key registered without a proof, which anyone who knew the public key could have done, and
   * for a stored key the SDK now refuses (small order), whose proof could have been forged ({@link keyProven}).
   */
  keyProven: boolean;
  codeHash: string | null;
  modelId: string | null;
  status: AgentStatus;
  ownerId: string | null;
  verifiedDomain: string | null;
  createdAt: number;
  updatedAt: number;
  revokedAt: number | null;
}

/** The public face of an owner. */
export interface OwnerSummary {
  id: string;
  name: string;
  handle: string;
}

export function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    did: didOf(row.id),
    slug: row.slug,
    name: row.name,
    description: row.description,
    publicKey: row.public_key,
    keyProven: keyProven(row),
    codeHash: row.code_hash,
    modelId: row.model_id,
    status: row.status,
    ownerId: row.owner_id,
    verifiedDomain: row.verified_domain,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revokedAt: row.revoked_at,
  };
}

/**
 * The agent's stored key as an SDK key, or null: also for a key the SDK now refuses (one of small order, stored before
 * such keys were refused), which has no PEM to give and proves nothing, since a signature for it can be forged. Such a
 * key made the whole profile read a 400 INVALID_KEY, for input the caller never sent.
 */
export function storedKey(publicKey: string | null): PublicKey | null {
  if (publicKey === null) return null;
  try {
    return parsePublicKey(publicKey, { type: 'Ed25519' });
  } catch (err) {
    if (err instanceof VouchError && err.code === 'INVALID_KEY') return null;
    throw err;
  }
}

/**
 * Whether the holder of the agent's stored key proved possession of it (registration proof or rotation), wherever
 * this is answered (the service's {@link Agent}, profile, agent page, safe_for_payment): never for a key the SDK now
 * refuses, whose proof could have been forged.
 */
export function keyProven(row: Pick<AgentRow, 'public_key' | 'key_proven_at'>): boolean {
  return row.key_proven_at !== null && storedKey(row.public_key) !== null;
}

/** How a reference names an agent: DID, internal id or slug; undefined when it can be none of them. */
export function parseAgentRef(ref: string): { id: string } | { slug: string } | undefined {
  if (typeof ref !== 'string') return undefined;
  const fromDid = idFromDid(ref);
  if (fromDid !== undefined) return { id: fromDid };
  if (isId(ref)) return { id: ref };
  if (isSlug(ref)) return { slug: ref };
  return undefined;
}

/** Looks an agent row up by DID, internal id or slug with the given handle (a transaction, or the pool). */
export async function lookupAgentRow(db: Db, ref: string): Promise<AgentRow | undefined> {
  const by = parseAgentRef(ref);
  if (by === undefined) return undefined;
  return 'id' in by ? store.findAgentById(db, by.id) : store.findAgentBySlug(db, by.slug);
}

/** {@link lookupAgentRow} with the agent's tool manifest, both from one read (undefined: no such agent). */
export async function lookupAgentWithToolManifest(
  db: Db,
  ref: string,
): Promise<{ agent: AgentRow; manifest: store.ToolManifestRow | undefined } | undefined> {
  const by = parseAgentRef(ref);
  return by === undefined ? undefined : store.findAgentWithToolManifest(db, by);
}

/**
 * The agent named by `ref` (its DID, 26-character internal id, or slug), or undefined.
 *
 * @example
 * const agent = await findAgent(ctx, 'did:identity:abcdefghijklmnopqrstuvwxya');
 */
export async function findAgent(ctx: AppContext, ref: string): Promise<Agent | undefined> {
  const row = await lookupAgentRow(ctx.storage.db, ref);
  return row === undefined ? undefined : toAgent(row);
}

/** What {@link holdAgent} found: the agent as it was checked (`held`), revoked or gone, or with another key now. */
export type HeldAgent = 'held' | 'revoked' | 'rotated';

/**
 * Inside a transaction that records something on an agent's behalf: the state of the agent `id`, its row held until
 * `trx` ends. A revocation or key rotation that committed first is seen here; one that comes later waits for `trx`
 * and then finds what it recorded (e.g. lists a token to revoke it). With `key` (standard base64: what the agent's
 * proof or signature was checked with), a current key other than that one answers `rotated`: a rotation is the
 * recovery from a lost or leaked key, so the old key records nothing new, even a request already on its way.
 *
 * @example
 * if ((await holdAgent(ctx, trx, agent.id, agent.publicKey)) !== 'held') throw new ApiError('AGENT_REVOKED', '...');
 */
export async function holdAgent(ctx: AppContext, trx: Db, id: string, key?: string | null): Promise<HeldAgent> {
  const row = await store.agentStateHeld(trx, ctx.storage.engine, id);
  if (row === undefined || row.status === 'revoked') return 'revoked';
  return key === undefined || row.public_key === key ? 'held' : 'rotated';
}

const signerKeyRotated = (): ApiError =>
  new ApiError(
    'SIGNATURE_INVALID',
    "The agent's key was rotated while this was being recorded; sign again with the current key.",
  );

/**
 * {@link holdAgent} for what `agent` signed, its signature checked before with `agent.publicKey`: throws 403
 * `AGENT_REVOKED` if it was revoked since, or `rotated()` (400 `SIGNATURE_INVALID` unless given) if its key was
 * rotated since.
 *
 * @example
 * await holdSigner(ctx, trx, agent); // then write what the agent signed
 */
export async function holdSigner(
  ctx: AppContext,
  trx: Db,
  agent: Agent,
  rotated: () => ApiError = signerKeyRotated,
): Promise<void> {
  const held = await holdAgent(ctx, trx, agent.id, agent.publicKey);
  if (held === 'revoked') throw new ApiError('AGENT_REVOKED', 'This agent has been revoked.');
  if (held === 'rotated') throw rotated();
}

/**
 * {@link holdAgent} for a batch (ingestion): the ids of the given agents that are revoked or gone, read in
 * `trx` and their rows held until it ends, so a batch checked before a revocation cannot store its events after the
 * revocation was answered.
 *
 * @example
 * const revoked = await holdRevokedAgents(ctx, trx, agentIds);
 */
export async function holdRevokedAgents(ctx: AppContext, trx: Db, ids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  if (ids.length === 0) return out;
  const statuses = await store.agentStatusesHeld(trx, ctx.storage.engine, ids);
  for (const id of ids) if ((statuses.get(id) ?? 'revoked') === 'revoked') out.add(id);
  return out;
}

/**
 * The agents named by `refs` (DIDs, internal ids or slugs) in one query, keyed by the ref as given; refs that name
 * no agent are absent. Revoked agents are included (see {@link assertAgentActive}).
 *
 * @example
 * const agents = await findAgents(ctx, ['did:identity:abcdefghijklmnopqrstuvwxya', 'my-agent']);
 */
export async function findAgents(ctx: AppContext, refs: readonly string[]): Promise<Map<string, Agent>> {
  const byRef = new Map<string, { id: string } | { slug: string }>();
  for (const ref of refs) {
    const by = parseAgentRef(ref);
    if (by !== undefined) byRef.set(ref, by);
  }
  const ids = new Set<string>();
  const slugs = new Set<string>();
  for (const by of byRef.values()) {
    if ('id' in by) ids.add(by.id);
    else slugs.add(by.slug);
  }
  const rows = await store.findAgentsByIdsOrSlugs(ctx.storage.db, [...ids], [...slugs]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const bySlug = new Map(rows.filter((r) => r.slug !== null).map((r) => [r.slug!, r]));
  const out = new Map<string, Agent>();
  for (const [ref, by] of byRef) {
    const row = 'id' in by ? byId.get(by.id) : bySlug.get(by.slug);
    if (row !== undefined) out.set(ref, toAgent(row));
  }
  return out;
}

/**
 * The agent named by `ref` (DID, internal id or slug); throws `ApiError('NOT_FOUND')` otherwise. Revoked agents are
 * returned too: call {@link assertAgentActive} where a revoked agent must be refused.
 *
 * @example
 * const agent = await resolveAgent(ctx, req.params.id);
 * assertAgentActive(agent);
 */
export async function resolveAgent(ctx: AppContext, ref: string): Promise<Agent> {
  const agent = await findAgent(ctx, ref);
  if (agent === undefined) throw new ApiError('NOT_FOUND', 'No agent has this DID, id or slug.');
  return agent;
}

/**
 * Throws `ApiError('AGENT_REVOKED')` (403) if the agent is revoked. Every check that relies on an agent (tokens,
 * signatures, capabilities) calls this.
 *
 * @example
 * assertAgentActive(await resolveAgent(ctx, did));
 */
export function assertAgentActive(agent: Pick<Agent, 'status'>): void {
  if (agent.status === 'revoked') throw new ApiError('AGENT_REVOKED', 'This agent has been revoked.');
}

/**
 * The agent's current Ed25519 public key as an SDK key; throws `ApiError('AGENT_HAS_NO_KEY')` (409) for an agent
 * registered without one.
 *
 * @example
 * const ok = await getDefaultCrypto().verify('EdDSA', getAgentPublicKey(agent), sig, data);
 */
export function getAgentPublicKey(agent: Pick<Agent, 'publicKey'>): PublicKey {
  if (agent.publicKey === null) {
    throw new ApiError('AGENT_HAS_NO_KEY', 'This agent has no public key registered.');
  }
  return parsePublicKey(agent.publicKey, { type: 'Ed25519' });
}

/**
 * Verifies an Ed25519 signature (standard base64, as identity.app sends it) by the agent's current key over
 * `message` (a string is signed as UTF-8). `false` for a malformed or wrong signature, and for any signature by a
 * stored key the SDK now refuses (small order, stored before the refusal: a signature for it can be forged), so
 * that each route answers its own bad-signature code, not 400 `INVALID_KEY` about a key the caller never sent;
 * throws `AGENT_HAS_NO_KEY` when the agent has no key. Runs off the event loop.
 *
 * @example
 * await verifyAgentSignature(agent, `${payloadHash}:${signedAt}`, body.signature); // true or false
 */
export async function verifyAgentSignature(
  agent: Pick<Agent, 'publicKey'>,
  message: string | Uint8Array,
  signatureBase64: string,
): Promise<boolean> {
  let key: PublicKey;
  try {
    key = getAgentPublicKey(agent);
  } catch (err) {
    if (err instanceof VouchError && err.code === 'INVALID_KEY') return false;
    throw err;
  }
  let signature: Uint8Array;
  try {
    signature = decodeBase64(signatureBase64);
  } catch {
    return false;
  }
  if (signature.length !== 64) return false;
  const data = typeof message === 'string' ? encodeUtf8(message) : message;
  return getDefaultCrypto().verify('EdDSA', key, signature, data);
}

/**
 * The owner an agent is linked to, or null when unclaimed.
 *
 * @example
 * const owner = await getAgentOwner(ctx, agent); // { id, name, handle } | null
 */
export async function getAgentOwner(ctx: AppContext, agent: Pick<Agent, 'ownerId'>): Promise<OwnerSummary | null> {
  if (agent.ownerId === null) return null;
  const row = await store.findOwner(ctx.storage.db, agent.ownerId);
  return row === undefined ? null : { id: row.id, name: row.name, handle: row.handle };
}

/**
 * The agent's identity score, computed from its current state (0 for a revoked agent, with `revoked` set).
 *
 * @example
 * (await getIdentityScore(ctx, agent)).score; // 0..100
 */
export async function getIdentityScore(ctx: AppContext, agent: Pick<Agent, 'id'>): Promise<IdentityScore> {
  const row = await store.findProfile(ctx.storage.db, { id: agent.id });
  if (row === undefined) throw new ApiError('NOT_FOUND', 'No agent has this DID, id or slug.');
  return scoreOfProfile(row);
}

/** The score of a profile row (see store.findProfile); 0 for a revoked agent. */
export function scoreOfProfile(row: store.ProfileRow): IdentityScore {
  return identityScore(
    {
      publicKey: row.public_key !== null,
      codeHash: row.code_hash !== null,
      modelId: row.model_id !== null,
      verifiedDomain: row.verified_domain !== null,
      // A manifest counts when it declares at least one tool: an empty one proves nothing.
      toolManifest: storedTools(row.manifest_tools).length > 0,
      claimed: row.owner_id !== null,
      voiceFingerprint: row.voice_sample_count !== null,
    },
    { revoked: row.status === 'revoked' },
  );
}

/**
 * The agent's public page: `<VOUCH_PUBLIC_URL>/verify/<slug>` (or the internal id for an agent without a slug).
 *
 * @example
 * agentPublicUrl(ctx, agent); // 'https://vouch.example/verify/my-agent'
 */
export function agentPublicUrl(ctx: AppContext, agent: Pick<Agent, 'slug' | 'id'>): string {
  return `${ctx.config.publicUrl}/verify/${agent.slug ?? agent.id}`;
}

/**
 * Agents in registration order (oldest first, ties by id), after the agent whose DID is `after`; for discovery
 * documents and paged listings. An `after` that names no agent yields an empty page.
 *
 * @example
 * const page = await listAgents(ctx, { limit: 100, after: lastPage.at(-1)?.did });
 */
export async function listAgents(ctx: AppContext, options: { limit: number; after?: string }): Promise<Agent[]> {
  const db = ctx.storage.db;
  let q = db.selectFrom('agents').selectAll().orderBy('created_at').orderBy('id').limit(options.limit);
  if (options.after !== undefined) {
    const id = idFromDid(options.after);
    const anchor =
      id === undefined
        ? undefined
        : await db.selectFrom('agents').select('created_at').where('id', '=', id).executeTakeFirst();
    if (id === undefined || anchor === undefined) return [];
    const at = anchor.created_at;
    // A row comparison, which both engines answer as one range of the (created_at, id) index in its order.
    q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(at, id)));
  }
  return (await q.execute()).map((row) => toAgent(row as AgentRow));
}

/**
 * How many agents are registered, whatever their status; for the web console's overview.
 *
 * @example
 * const agents = await countAgents(ctx);
 */
export async function countAgents(ctx: AppContext): Promise<number> {
  const row = await ctx.storage.db
    .selectFrom('agents')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The agents' ids, slugs and statuses as a subquery that another module may join in a read of its own, where a hot
 * path must learn an agent's standing in the same round trip (the capability intercept). Only these three columns
 * are the contract: the agents table stays this module's.
 *
 * @example
 * db.selectFrom('capability_tokens as t').innerJoin(agentStandings(db).as('a'), 'a.id', 't.vouch_agent_id');
 */
export function agentStandings(db: Db) {
  return db.selectFrom('agents').select(['id', 'slug', 'status']);
}
