// The agents module's tables (migration 0002). Only this module queries them; other modules call service.ts.
// Every function takes the Kysely handle to use, so callers can run several inside one transaction.
import type { Kysely, Selectable } from 'kysely';
import { codePointOrder, deleteExpired, preparedRead } from '../../storage/index.ts';
import type { Database, Engine } from '../../storage/index.ts';
import { slugReadings } from './slug-skeleton.ts';

export type Db = Kysely<Database>;
export type AgentRow = Selectable<Database['agents']>;

export type AgentStatus = Database['agents']['status'];

/* ------------------------------------------------------------------ agents */

export function findAgentById(db: Db, id: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * An agent's status and current key, its row share-locked until the transaction ends on PostgreSQL (a revocation's
 * or a key rotation's UPDATE waits for it); SQLite runs one writing transaction at a time.
 */
export async function agentStateHeld(
  db: Db,
  engine: Engine,
  id: string,
): Promise<{ status: AgentStatus; public_key: string | null } | undefined> {
  const query = db.selectFrom('agents').select(['status', 'public_key']).where('id', '=', id);
  return (engine === 'postgres' ? query.forShare() : query).executeTakeFirst();
}

/** {@link agentStateHeld}'s status for many agents at once (ids in chunks of 500), by id; unknown ids are absent. */
export async function agentStatusesHeld(
  db: Db,
  engine: Engine,
  ids: readonly string[],
): Promise<Map<string, AgentStatus>> {
  const out = new Map<string, AgentStatus>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const query = db
      .selectFrom('agents')
      .select(['id', 'status'])
      .where('id', 'in', unique.slice(i, i + 500));
    for (const r of await (engine === 'postgres' ? query.forShare() : query).execute()) out.set(r.id, r.status);
  }
  return out;
}

export function findAgentBySlug(db: Db, slug: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('slug', '=', slug).executeTakeFirst();
}

/** Whether an agent other than `agentId` holds any of these slug readings (slug-skeleton.ts, `slugReadings`). */
async function readingHeldByOther(db: Db, readings: readonly string[], agentId: string): Promise<boolean> {
  const row = await db
    .selectFrom('slug_skeletons')
    .select('agent_id')
    .where('skeleton', 'in', [...readings])
    .where('held', '=', 1)
    .where('agent_id', '!=', agentId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Makes the agent hold these readings of its new slug (its rows must be gone). `INSERT ... ON CONFLICT DO NOTHING`
 * waits for a concurrent writer of a held reading and then inserts nothing, so `false` (another agent holds one)
 * does not abort the (PostgreSQL) transaction; the caller then abandons it. Readings are sorted, so two writers take
 * them in one order.
 */
async function holdReadings(db: Db, agentId: string, readings: readonly string[]): Promise<boolean> {
  const inserted = await db
    .insertInto('slug_skeletons')
    .values(readings.map((skeleton) => ({ skeleton, agent_id: agentId, held: 1 })))
    .onConflict((oc) => oc.doNothing())
    .returning('skeleton')
    .execute();
  return inserted.length === readings.length;
}

/**
 * Hands a reading no agent holds any more to the oldest agent (by `created_at`, then id) whose slug reads so but did
 * not hold it: a look-alike kept from before look-alikes were refused, which would otherwise stand unprotected.
 */
async function handOverReading(db: Db, skeleton: string): Promise<void> {
  const candidates = await db
    .selectFrom('slug_skeletons as s')
    .innerJoin('agents as a', 'a.id', 's.agent_id')
    .select(['s.agent_id', 'a.created_at'])
    .where('s.skeleton', '=', skeleton)
    .where('s.held', '=', 0)
    .execute();
  candidates.sort((x, y) => x.created_at - y.created_at || (x.agent_id < y.agent_id ? -1 : 1));
  for (const { agent_id } of candidates) {
    // A candidate whose slug changed meanwhile (its row gone) is passed over for the next.
    const r = await db
      .updateTable('slug_skeletons')
      .set({ held: 1 })
      .where('skeleton', '=', skeleton)
      .where('agent_id', '=', agent_id)
      .where('held', '=', 0)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) return;
  }
}

/**
 * Makes the agent's rows the readings of the slug it has, when they are not: an instance of the previous version still
 * running during a rollout sets slugs without rows, leaving the agent's previous slug's readings held (that slug
 * refused to everyone) and its new slug's unprotected. Rows of readings its slug no longer has go (a held one handed
 * over, as on a change); each missing reading is held when no other agent holds it, and is otherwise kept unheld, as a
 * look-alike kept from before refusal is (handed over when its holder lets it go). Nothing is written when the rows
 * are right, as they are but for such a slug.
 */
async function repairReadings(db: Db, agentId: string, readings: readonly string[]): Promise<void> {
  const rows = await db
    .selectFrom('slug_skeletons')
    .select(['skeleton', 'held'])
    .where('agent_id', '=', agentId)
    .execute();
  const stale = rows.filter((r) => !readings.includes(r.skeleton));
  const missing = readings.filter((r) => !rows.some((row) => row.skeleton === r));
  if (stale.length === 0 && missing.length === 0) return;
  // Their held flags as deleted (one may have been handed to the agent since it was read).
  const dropped =
    stale.length === 0
      ? []
      : await db
          .deleteFrom('slug_skeletons')
          .where('agent_id', '=', agentId)
          .where(
            'skeleton',
            'in',
            stale.map((r) => r.skeleton),
          )
          .returning(['skeleton', 'held'])
          .execute();
  if (missing.length > 0 && !(await holdReadings(db, agentId, missing))) {
    // Another agent holds one: the agent keeps its slug, with that reading unheld.
    await db
      .insertInto('slug_skeletons')
      .values(missing.map((skeleton) => ({ skeleton, agent_id: agentId, held: 0 })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  for (const { skeleton, held } of dropped) if (held === 1) await handOverReading(db, skeleton);
}

/** The agents with these internal ids or slugs, in one query (batch lookups, e.g. event ingestion). */
export function findAgentsByIdsOrSlugs(db: Db, ids: readonly string[], slugs: readonly string[]): Promise<AgentRow[]> {
  if (ids.length === 0 && slugs.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('agents')
    .selectAll()
    .where((eb) =>
      eb.or([
        ...(ids.length > 0 ? [eb('id', 'in', [...ids])] : []),
        ...(slugs.length > 0 ? [eb('slug', 'in', [...slugs])] : []),
      ]),
    )
    .execute();
}

/** The agent whose current key this is (standard base64 of the 32 bytes). */
export function findAgentByPublicKey(db: Db, publicKey: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('public_key', '=', publicKey).executeTakeFirst();
}

export type InsertAgentResult = 'inserted' | 'slug_taken' | 'slug_confusable' | 'key_taken';

/** Whether any agent has, or had, this key (the key history). */
async function keyKnown(db: Db, publicKey: string): Promise<boolean> {
  const row = await db
    .selectFrom('agent_keys')
    .select('agent_id')
    .where('public_key', '=', publicKey)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Inserts an agent (with its slug's readings) and, when it has one, its key into the key history. Conflicts are
 * answered, not thrown: `INSERT ... ON CONFLICT DO NOTHING` waits for a concurrent inserter of the same slug, a
 * look-alike slug or the same key and then inserts nothing, so the loser learns which constraint it hit without
 * aborting the (PostgreSQL) transaction; the caller abandons it on any answer but `inserted`.
 */
export async function insertAgent(db: Db, row: Omit<AgentRow, 'slug_skeleton'>): Promise<InsertAgentResult> {
  // A key rotated out of another agent is still that agent's: the key history is checked first.
  if (row.public_key !== null && (await keyKnown(db, row.public_key))) return 'key_taken';
  const inserted = await db
    .insertInto('agents')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted === undefined) {
    if (row.slug !== null && (await findAgentBySlug(db, row.slug)) !== undefined) return 'slug_taken';
    // The slug's holder may have let it go since the conflict: the key's history (never emptied, written with the
    // agent row) says whether the key was what conflicted.
    if (row.slug === null || (row.public_key !== null && (await keyKnown(db, row.public_key)))) return 'key_taken';
    return 'slug_taken';
  }
  if (row.public_key !== null) {
    const key = await db
      .insertInto('agent_keys')
      .values({ public_key: row.public_key, agent_id: row.id, created_at: row.created_at, retired_at: null })
      .onConflict((oc) => oc.doNothing())
      .returning('public_key')
      .executeTakeFirst();
    if (key === undefined) return 'key_taken';
  }
  if (row.slug !== null && !(await holdReadings(db, row.id, slugReadings(row.slug)))) return 'slug_confusable';
  return 'inserted';
}

/** Whether a driver error is a unique-constraint violation (PostgreSQL 23505, SQLite UNIQUE / PRIMARY KEY). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export type SetSlugResult = 'set' | 'taken' | 'confusable';

/**
 * Sets or clears an agent's slug and its readings. `taken` when another agent holds the slug, `confusable` when
 * another agent's slug looks like it (a look-alike of the agent's own slug is its to take); also when a concurrent
 * writer took either first: the unique constraints decide, and the caller's transaction must then be abandoned by
 * throwing. Readings the agent no longer holds pass to the oldest look-alike that reads so (handOverReading).
 */
export async function setSlug(db: Db, agentId: string, slug: string | null, now: number): Promise<SetSlugResult> {
  const readings = slug === null ? [] : slugReadings(slug);
  if (slug !== null) {
    const holder = await findAgentBySlug(db, slug);
    if (holder !== undefined && holder.id !== agentId) return 'taken';
    // The slug it holds already: nothing to change (it may hold none of its readings beside an older look-alike),
    // unless its rows are not its slug's readings (set by a previous version during a rollout): then they are made so.
    if (holder !== undefined) {
      await repairReadings(db, agentId, readings);
      return 'set';
    }
    if (await readingHeldByOther(db, readings, agentId)) return 'confusable';
  }
  try {
    // A release of no slug changes nothing the profile shows: its updated_at stays (the readings are still cleared).
    let update = db.updateTable('agents').set({ slug, updated_at: now }).where('id', '=', agentId);
    if (slug === null) update = update.where('slug', 'is not', null);
    await update.execute();
  } catch (err) {
    if (isUniqueViolation(err)) return 'taken';
    throw err;
  }
  // The agent row first, then the readings: the order of insertAgent.
  const before = await db
    .deleteFrom('slug_skeletons')
    .where('agent_id', '=', agentId)
    .returning(['skeleton', 'held'])
    .execute();
  if (readings.length > 0 && !(await holdReadings(db, agentId, readings))) return 'confusable';
  for (const { skeleton, held } of before) {
    if (held === 1 && !readings.includes(skeleton)) await handOverReading(db, skeleton);
  }
  return 'set';
}

/**
 * Moves the agent's `updated_at` (its profile's) to `now`: for a change to what its profile shows that is stored
 * beside the agent's row (its tool manifest, its voice fingerprint), as a change to the row itself moves it.
 */
export async function touchAgent(db: Db, agentId: string, now: number): Promise<void> {
  await db.updateTable('agents').set({ updated_at: now }).where('id', '=', agentId).execute();
}

/** Revokes an agent that is not yet revoked; `false` when it already was. */
export async function revokeAgent(
  db: Db,
  agentId: string,
  by: 'admin' | 'owner' | 'agent',
  reason: string | null,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('agents')
    .set({ status: 'revoked', revoked_at: now, revoked_by: by, revocation_reason: reason, updated_at: now })
    .where('id', '=', agentId)
    .where('status', '!=', 'revoked')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Replaces the agent's current key if it is still `oldKey` (so two concurrent rotations cannot both win) and
 * records the new key in the history; `'key_taken'` when the new key already belongs to any agent. The agent row
 * first, then the history, the order of {@link insertAgent}: a rotation that took the history row first and a
 * registration of the same key that took the agent row first each waited for the other (a deadlock, a 500).
 */
export async function rotateAgentKey(
  db: Db,
  agentId: string,
  oldKey: string,
  newKey: string,
  now: number,
): Promise<'rotated' | 'key_taken' | 'stale'> {
  let updated;
  try {
    updated = await db
      .updateTable('agents')
      // The new key signed the rotation statement, which names this agent: its possession is proven.
      .set({ public_key: newKey, key_proven_at: now, updated_at: now })
      .where('id', '=', agentId)
      .where('public_key', '=', oldKey)
      .where('status', '!=', 'revoked')
      .executeTakeFirst();
  } catch (err) {
    if (isUniqueViolation(err)) return 'key_taken';
    throw err;
  }
  if (Number(updated.numUpdatedRows) !== 1) return 'stale';
  // A key rotated out of another agent is still that agent's (the caller abandons the update by throwing).
  const inserted = await db
    .insertInto('agent_keys')
    .values({ public_key: newKey, agent_id: agentId, created_at: now, retired_at: null })
    .onConflict((oc) => oc.doNothing())
    .returning('public_key')
    .executeTakeFirst();
  if (inserted === undefined) return 'key_taken';
  await db
    .updateTable('agent_keys')
    .set({ retired_at: now })
    .where('public_key', '=', oldKey)
    .where('agent_id', '=', agentId)
    .execute();
  return 'rotated';
}

/** Links an unclaimed agent to an owner; `false` when it is not unclaimed any more. */
export async function linkAgentToOwner(db: Db, agentId: string, ownerId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('agents')
    .set({ owner_id: ownerId, status: 'claimed', claimed_at: now, updated_at: now })
    .where('id', '=', agentId)
    .where('status', '=', 'unclaimed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/* ------------------------------------------------------------------ owners */

export type OwnerRow = Selectable<Database['owners']>;

export function findOwner(db: Db, id: string): Promise<OwnerRow | undefined> {
  return db.selectFrom('owners').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts an owner; `false` when the handle is taken. */
export async function insertOwner(db: Db, row: OwnerRow): Promise<boolean> {
  const inserted = await db
    .insertInto('owners')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function insertOwnerApiKey(db: Db, ownerId: string, keyHash: string, now: number): Promise<void> {
  await db
    .insertInto('owner_api_keys')
    .values({ key_hash: keyHash, owner_id: ownerId, created_at: now, revoked_at: null })
    .execute();
}

/** The live owner API key with this hash. */
export function findOwnerApiKey(db: Db, keyHash: string): Promise<{ key_hash: string; owner_id: string } | undefined> {
  return db
    .selectFrom('owner_api_keys')
    .select(['key_hash', 'owner_id'])
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/** Revokes every live API key of the owner; how many were live. */
export async function revokeOwnerApiKeys(db: Db, ownerId: string, now: number): Promise<number> {
  const result = await db
    .updateTable('owner_api_keys')
    .set({ revoked_at: now })
    .where('owner_id', '=', ownerId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The owner's row, locked on PostgreSQL until the transaction ends (concurrent key rotations take turns). */
export function lockOwner(db: Db, engine: Engine, id: string): Promise<OwnerRow | undefined> {
  const q = db.selectFrom('owners').selectAll().where('id', '=', id);
  return (engine === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
}

/**
 * Whether the owner exists, its row key-share-locked on PostgreSQL until the transaction ends: an API key rotation
 * ({@link lockOwner}) in progress is waited for, and one that comes later waits for this transaction.
 */
export async function holdOwner(db: Db, engine: Engine, id: string): Promise<boolean> {
  const q = db.selectFrom('owners').select('id').where('id', '=', id);
  return (await (engine === 'postgres' ? q.forKeyShare() : q).executeTakeFirst()) !== undefined;
}

/**
 * Whether the owner API key with this hash is still live, its row share-locked on PostgreSQL until the transaction
 * ends: a revocation that committed first is seen here, one that comes later waits for this transaction.
 */
export async function ownerApiKeyLiveHeld(db: Db, engine: Engine, keyHash: string): Promise<boolean> {
  const q = db
    .selectFrom('owner_api_keys')
    .select('key_hash')
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null);
  return (await (engine === 'postgres' ? q.forShare() : q).executeTakeFirst()) !== undefined;
}

/**
 * An owner's agents in registration order (oldest first, ties by id), after the agent `afterId` wherever it is now
 * (it may have left this owner between two pages); `[]` when no agent has that id.
 */
export async function listOwnerAgents(db: Db, ownerId: string, limit: number, afterId?: string): Promise<AgentRow[]> {
  let q = db
    .selectFrom('agents')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit);
  if (afterId !== undefined) {
    const anchor = await db.selectFrom('agents').select('created_at').where('id', '=', afterId).executeTakeFirst();
    if (anchor === undefined) return [];
    const at = anchor.created_at;
    q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(at, afterId)));
  }
  return q.execute();
}

/* ------------------------------------------------- single-use secrets */

export async function insertLinkingKey(
  db: Db,
  keyHash: string,
  ownerId: string,
  now: number,
  expiresAt: number,
): Promise<void> {
  await db
    .insertInto('linking_keys')
    .values({
      key_hash: keyHash,
      owner_id: ownerId,
      created_at: now,
      expires_at: expiresAt,
      used_at: null,
      agent_id: null,
    })
    .execute();
}

/**
 * Ends every unused, unexpired linking key of the owner now (its expiry moves to 0); how many there were. An API
 * key rotation calls it: the keys a leaked API key minted must stop with it.
 */
export async function expireLinkingKeys(db: Db, ownerId: string, now: number): Promise<number> {
  const result = await db
    .updateTable('linking_keys')
    // Ended at 0, not at `now`: another process whose clock lags this one's would still find them unexpired.
    .set({ expires_at: 0 })
    .where('owner_id', '=', ownerId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export type ConsumeResult = { ok: true; ownerId: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/**
 * Marks a linking key used by `agentId` — one conditional UPDATE, so of any number of concurrent users exactly one
 * sees a row change. Call it after the agent row exists (the key references it).
 */
export async function consumeLinkingKey(db: Db, keyHash: string, agentId: string, now: number): Promise<ConsumeResult> {
  const usable = await linkingKeyUsable(db, keyHash, now);
  if (!usable.ok) return usable;
  const result = await db
    .updateTable('linking_keys')
    .set({ used_at: now, agent_id: agentId })
    .where('key_hash', '=', keyHash)
    .where('used_at', 'is', null)
    // Still unexpired: an owner key rotation that committed since the pre-check ended it (expireLinkingKeys).
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    const after = await linkingKeyUsable(db, keyHash, now);
    return after.ok ? { ok: false, reason: 'used' } : after;
  }
  return usable;
}

/** Whether a linking key exists, unused and unexpired (a read-only pre-check; consuming it decides). */
export async function linkingKeyUsable(db: Db, keyHash: string, now: number): Promise<ConsumeResult> {
  const row = await db
    .selectFrom('linking_keys')
    .select(['owner_id', 'used_at', 'expires_at'])
    .where('key_hash', '=', keyHash)
    .executeTakeFirst();
  if (row === undefined) return { ok: false, reason: 'unknown' };
  if (row.used_at !== null) return { ok: false, reason: 'used' };
  if (row.expires_at <= now) return { ok: false, reason: 'expired' };
  return { ok: true, ownerId: row.owner_id };
}

export async function insertClaimToken(db: Db, tokenHash: string, agentId: string, now: number): Promise<void> {
  await db
    .insertInto('claim_tokens')
    .values({ token_hash: tokenHash, agent_id: agentId, created_at: now, used_at: null, owner_id: null })
    .execute();
}

/** Marks a claim token used by `ownerId`; exactly one of concurrent claimers gets `ok`. */
export async function consumeClaimToken(
  db: Db,
  tokenHash: string,
  ownerId: string,
  now: number,
): Promise<{ ok: true; agentId: string } | { ok: false; reason: 'unknown' | 'used' }> {
  const row = await db
    .selectFrom('claim_tokens')
    .select(['agent_id', 'used_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (row === undefined) return { ok: false, reason: 'unknown' };
  if (row.used_at !== null) return { ok: false, reason: 'used' };
  const result = await db
    .updateTable('claim_tokens')
    .set({ used_at: now, owner_id: ownerId })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return { ok: false, reason: 'used' };
  return { ok: true, agentId: row.agent_id };
}

/** The agent of the claim token with this hash (unlocked; {@link consumeClaimToken} decides whether it is usable). */
export function findClaimToken(db: Db, tokenHash: string): Promise<{ agent_id: string } | undefined> {
  return db.selectFrom('claim_tokens').select('agent_id').where('token_hash', '=', tokenHash).executeTakeFirst();
}

/**
 * Replaces the agent's claim token with the one hashed `tokenHash` if it is still unused (the old one then names
 * nothing); `false` when the agent has none unused (claimed, or registered with a linking key).
 */
export async function replaceUnusedClaimToken(
  db: Db,
  agentId: string,
  tokenHash: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('claim_tokens')
    .set({ token_hash: tokenHash, created_at: now })
    .where('agent_id', '=', agentId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertManagementToken(db: Db, tokenHash: string, agentId: string, now: number): Promise<void> {
  await db
    .insertInto('management_tokens')
    .values({ token_hash: tokenHash, agent_id: agentId, created_at: now, revoked_at: null })
    .execute();
}

/** The live management token with this hash. */
export function findManagementToken(
  db: Db,
  tokenHash: string,
): Promise<{ token_hash: string; agent_id: string } | undefined> {
  return db
    .selectFrom('management_tokens')
    .select(['token_hash', 'agent_id'])
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/** Revokes every live management token of the agent; how many were live. */
export async function revokeManagementTokens(db: Db, agentId: string, now: number): Promise<number> {
  const result = await db
    .updateTable('management_tokens')
    .set({ revoked_at: now })
    .where('agent_id', '=', agentId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** As {@link ownerApiKeyLiveHeld}, for a management token. */
export async function managementTokenLiveHeld(db: Db, engine: Engine, tokenHash: string): Promise<boolean> {
  const q = db
    .selectFrom('management_tokens')
    .select('token_hash')
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null);
  return (await (engine === 'postgres' ? q.forShare() : q).executeTakeFirst()) !== undefined;
}

/* ------------------------------------------------ manifests, voice, proofs */

export type ToolManifestRow = Selectable<Database['tool_manifests']>;
export type VoiceRow = Selectable<Database['voice_fingerprints']>;
export type ProofRow = Selectable<Database['agent_proofs']>;

export function findToolManifest(db: Db, agentId: string): Promise<ToolManifestRow | undefined> {
  return db.selectFrom('tool_manifests').selectAll().where('agent_id', '=', agentId).executeTakeFirst();
}

/**
 * The agent named by internal id or slug and its tool manifest (undefined when it has none), in one query: one
 * snapshot, so a slug change or revocation committing meanwhile cannot pair the agent of one moment with the
 * manifest (signed for its slug) of another, as two reads did.
 */
export async function findAgentWithToolManifest(
  db: Db,
  by: { id: string } | { slug: string },
): Promise<{ agent: AgentRow; manifest: ToolManifestRow | undefined } | undefined> {
  const row = await db
    .selectFrom('agents as a')
    .leftJoin('tool_manifests as m', 'm.agent_id', 'a.id')
    .selectAll('a')
    .select([
      'm.agent_id as m_agent_id',
      'm.tools as m_tools',
      'm.tool_descriptions as m_tool_descriptions',
      'm.manifest_hash as m_manifest_hash',
      'm.signature as m_signature',
      'm.signature_kid as m_signature_kid',
      'm.updated_at as m_updated_at',
    ])
    .where('id' in by ? 'a.id' : 'a.slug', '=', 'id' in by ? by.id : by.slug)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const {
    m_agent_id,
    m_tools,
    m_tool_descriptions,
    m_manifest_hash,
    m_signature,
    m_signature_kid,
    m_updated_at,
    ...agent
  } = row;
  const manifest =
    m_agent_id === null
      ? undefined
      : {
          agent_id: m_agent_id,
          tools: m_tools!,
          tool_descriptions: m_tool_descriptions!,
          manifest_hash: m_manifest_hash!,
          signature: m_signature!,
          signature_kid: m_signature_kid!,
          updated_at: m_updated_at!,
        };
  return { agent, manifest };
}

export async function upsertToolManifest(db: Db, row: ToolManifestRow): Promise<void> {
  const { agent_id: _id, ...rest } = row;
  await db
    .insertInto('tool_manifests')
    .values(row)
    .onConflict((oc) => oc.column('agent_id').doUpdateSet(rest))
    .execute();
}

export function findVoice(db: Db, agentId: string): Promise<VoiceRow | undefined> {
  return db.selectFrom('voice_fingerprints').selectAll().where('agent_id', '=', agentId).executeTakeFirst();
}

export async function upsertVoice(db: Db, row: VoiceRow): Promise<void> {
  await db
    .insertInto('voice_fingerprints')
    .values(row)
    .onConflict((oc) =>
      oc.column('agent_id').doUpdateSet({
        fingerprint_digest: row.fingerprint_digest,
        provider: row.provider,
        sample_count: row.sample_count,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

export function listProofs(db: Db, engine: Engine, agentId: string): Promise<ProofRow[]> {
  return db
    .selectFrom('agent_proofs')
    .selectAll()
    .where('agent_id', '=', agentId)
    .orderBy('verified_at')
    .orderBy(codePointOrder(engine, 'type'))
    .orderBy(codePointOrder(engine, 'value'))
    .execute();
}

/**
 * {@link listProofs} with the agent's `updated_at` and `verified_domain` as of the same statement (undefined without
 * the agent): every change to the agent's proofs that a profile shows (one recorded, one lapsed) moves `updated_at` in
 * its transaction, so a profile row read before with the same stamp lists these very proofs.
 */
export async function listProofsAsOf(
  db: Db,
  engine: Engine,
  agentId: string,
): Promise<{ updatedAt: number; verifiedDomain: string | null; proofs: ProofRow[] } | undefined> {
  const rows = await db
    .selectFrom('agents as a')
    .leftJoin('agent_proofs as p', 'p.agent_id', 'a.id')
    .select(['a.updated_at as a_updated_at', 'a.verified_domain as a_verified_domain'])
    .select([
      'p.agent_id',
      'p.type',
      'p.value',
      'p.method',
      'p.verified_at',
      'p.token',
      'p.succeeded_at',
      'p.checked_at',
      'p.claimed_until',
    ])
    .where('a.id', '=', agentId)
    .orderBy('p.verified_at')
    .orderBy(codePointOrder(engine, 'p.type'))
    .orderBy(codePointOrder(engine, 'p.value'))
    .execute();
  if (rows.length === 0) return undefined;
  const proofs = rows
    .filter((r) => r.agent_id !== null)
    .map(({ a_updated_at: _u, a_verified_domain: _d, ...r }) => r as ProofRow);
  return { updatedAt: Number(rows[0]!.a_updated_at), verifiedDomain: rows[0]!.a_verified_domain, proofs };
}

/* ---------------------------------------------------------- profile read */

/** What a profile page or `GET /v1/identity/{slug}` needs, in one query (plus {@link listProofsAsOf}). */
export interface ProfileRow extends AgentRow {
  owner_name: string | null;
  owner_handle: string | null;
  manifest_hash: string | null;
  manifest_tools: string | null;
  voice_sample_count: number | null;
  voice_provider: string | null;
}

/**
 * The agent's row and one scalar subquery per joined column. On SQLite a LEFT JOIN made the lookup cost three times
 * the agent's own row (about 43 against 15 µs with 100,000 agents, the joined tables empty); a scalar subquery on a
 * primary key costs next to nothing when it finds no row.
 */
function profileQuery(db: Db) {
  return db
    .selectFrom('agents as a')
    .selectAll('a')
    .select((eb) => {
      // Builders are immutable: each table's lookup is written once and selected from twice.
      const owner = eb.selectFrom('owners as o').whereRef('o.id', '=', 'a.owner_id');
      const manifest = eb.selectFrom('tool_manifests as m').whereRef('m.agent_id', '=', 'a.id');
      const voice = eb.selectFrom('voice_fingerprints as v').whereRef('v.agent_id', '=', 'a.id');
      return [
        owner.select('o.name').as('owner_name'),
        owner.select('o.handle').as('owner_handle'),
        manifest.select('m.manifest_hash').as('manifest_hash'),
        manifest.select('m.tools').as('manifest_tools'),
        voice.select('v.sample_count').as('voice_sample_count'),
        voice.select('v.provider').as('voice_provider'),
      ];
    });
}

// Compiled once per handle: profile reads are the busiest public read.
const profileById = preparedRead((db, id: string) => profileQuery(db).where('a.id', '=', id));
const profileBySlug = preparedRead((db, slug: string) => profileQuery(db).where('a.slug', '=', slug));

export async function findProfile(db: Db, by: { id: string } | { slug: string }): Promise<ProfileRow | undefined> {
  const rows = 'id' in by ? await profileById(db, by.id) : await profileBySlug(db, by.slug);
  return rows[0] as ProfileRow | undefined;
}

/**
 * What `verify-voice` needs, in one query, so that the status, key, domain, score and fingerprint it answers are of
 * one moment: the profile row ({@link findProfile}) with the stored fingerprint's digest (null without one).
 */
export async function findVoiceCheck(
  db: Db,
  by: { id: string } | { slug: string },
): Promise<(ProfileRow & { voice_digest: string | null }) | undefined> {
  const row = await profileQuery(db)
    .select((eb) =>
      eb
        .selectFrom('voice_fingerprints as v')
        .whereRef('v.agent_id', '=', 'a.id')
        .select('v.fingerprint_digest')
        .as('voice_digest'),
    )
    .where('id' in by ? 'a.id' : 'a.slug', '=', 'id' in by ? by.id : by.slug)
    .executeTakeFirst();
  return row as (ProfileRow & { voice_digest: string | null }) | undefined;
}

/* ---------------------------------------------------- signed-request replay */

/**
 * Records an agent-signed request as used; `false` when it was used before. The same agent's entries that expired
 * before `pruneBefore` are dropped on the way, so the table holds about one signing window of requests per agent.
 */
export async function consumeSignedRequest(
  db: Db,
  digest: string,
  agentId: string,
  expiresAt: number,
  pruneBefore: number,
): Promise<boolean> {
  await db
    .deleteFrom('agent_signed_requests')
    .where('agent_id', '=', agentId)
    .where('expires_at', '<', pruneBefore)
    .execute();
  const inserted = await db
    .insertInto('agent_signed_requests')
    .values({ digest, agent_id: agentId, expires_at: expiresAt })
    .onConflict((oc) => oc.doNothing())
    .returning('digest')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Drops every agent's used-request records that expired before `before`, in bounded batches; returns how many went.
 * The per-agent prune above only runs when that agent signs again.
 */
export function pruneSignedRequests(db: Db, engine: Engine, before: number, batchRows?: number): Promise<number> {
  return deleteExpired(db, engine, 'agent_signed_requests', { op: '<', before, batchRows });
}

/* --------------------------------------------------------------- locking */

/**
 * Reads an agent row inside a transaction, locking it on PostgreSQL (`FOR UPDATE`) so that concurrent changes to
 * the same agent (a slug change and a manifest signature naming the slug) take turns. SQLite transactions are
 * already serialized (one connection per process, one process per database).
 */
export function lockAgent(db: Db, engine: Engine, id: string): Promise<AgentRow | undefined> {
  const q = db.selectFrom('agents').selectAll().where('id', '=', id);
  return (engine === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
}
