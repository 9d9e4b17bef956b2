// Which owner keys, integrator keys and management tokens authenticated lately in this process, so the policy can
// count a request carrying one in its principal's rate-limit bucket without a lookup (see policyHook in ./policy.ts).
// A principal's keys are forgotten when they are rotated or revoked: at once by the process that does it, and by the
// others (several processes on one PostgreSQL) as its announcement arrives (storage/changes.ts), which names the
// principal (owner id, integrator slug, agent DID), never a key or its digest: any role may LISTEN on the channel.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AppContext } from '../context.ts';
import { onSharedChangeUnder } from '../cache-invalidation.ts';
import { perApp } from '../per-app.ts';
import { announceChange } from '../storage/index.ts';
import type { Database } from '../storage/index.ts';

/** Most keys each cache holds, some 200 bytes each: a full cache forgets the key used longest ago. */
export const RECENT_KEYS_MAX = 4096;

/**
 * SHA-256 digests (hashSecret) of keys that authenticated lately, each with its principal's id, the least recently
 * used first. Filled by an authenticator once the database found the key; emptied of a key when it fails to
 * authenticate, and of all a principal's keys when they are rotated away or revoked (in this process, or announced by
 * another: {@link announceKeysDropped}). It never authenticates: a key found here only changes the bucket a request
 * is counted in, and the authenticator still looks the key up. A key held here is a key that worked, so only holders
 * of valid keys can fill it (owners and integrators are made by the admin). Management tokens come with
 * registrations, which anyone may make at a per-address rate: one who fills the cache with tokens of their own only
 * pushes other tokens back to being counted per address, as they were before it held them.
 *
 * An announcement missed (the listener reconnecting, or a request that read a key just before its rotation committed
 * and remembered it just after) leaves a stale key here until its first refusal, which forgets it: one request counted
 * in its principal's bucket. The cache is not emptied when the listener reconnects: that would send every principal's
 * next request back to its address's bucket to save at most one request per stale key.
 */
export class RecentKeys {
  /** By digest, in the order of their last use (a use moves a key to the end). */
  readonly #ids = new Map<string, string>();
  /** The digests held of each principal, so forgetting one principal reads only its own; never more than #ids. */
  readonly #digests = new Map<string, Set<string>>();
  readonly max: number;

  constructor(max = RECENT_KEYS_MAX) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('max must be a positive integer.');
    this.max = max;
  }

  /** How many keys are held. */
  get size(): number {
    return this.#ids.size;
  }

  /** How many principals have keys held (at most {@link size}). */
  get principals(): number {
    return this.#digests.size;
  }

  /** The principal id of the key with this digest, if it authenticated lately; counts as a use. */
  idOf(digest: string): string | undefined {
    const id = this.#ids.get(digest);
    if (id !== undefined) {
      this.#ids.delete(digest);
      this.#ids.set(digest, id);
    }
    return id;
  }

  /** Holds a key that just authenticated as `id`. */
  remember(digest: string, id: string): void {
    this.forget(digest);
    if (this.#ids.size >= this.max) this.forget(this.#ids.keys().next().value!);
    this.#ids.set(digest, id);
    let digests = this.#digests.get(id);
    if (digests === undefined) this.#digests.set(id, (digests = new Set()));
    digests.add(digest);
  }

  /** Drops a key (it failed to authenticate). */
  forget(digest: string): void {
    const id = this.#ids.get(digest);
    if (id === undefined) return;
    this.#ids.delete(digest);
    const digests = this.#digests.get(id)!;
    digests.delete(digest);
    if (digests.size === 0) this.#digests.delete(id);
  }

  /** Drops every key of the principal `id` (its keys were rotated away, or its agent revoked). */
  forgetId(id: string): void {
    for (const digest of this.#digests.get(id) ?? []) this.#ids.delete(digest);
    this.#digests.delete(id);
  }
}

/** Who holds a kind of key, as the policy names its caller (and its bucket, `@<holder>:<id>`). */
export type KeyHolder = 'owner' | 'integrator' | 'management-token';

const CACHE_OF = { owner: 'owner', integrator: 'integrator', 'management-token': 'managementToken' } as const;

/** The topics of dropped keys: `keys_dropped:<holder>:<origin>:<id>` (the id, a DID, may hold colons). */
const KEYS_DROPPED = 'keys_dropped:';

/** Each app's caches, one per kind of key looked up in the database, listening for other processes' drops. */
export const recentKeysOf = perApp((ctx) => {
  const caches = { owner: new RecentKeys(), integrator: new RecentKeys(), managementToken: new RecentKeys() };
  // Names this app in its announcements: it forgot the keys itself as the change committed, and may hold the new
  // key since, which hearing its own announcement would forget.
  const origin = randomBytes(8).toString('hex');
  onSharedChangeUnder(ctx, KEYS_DROPPED, (rest) => {
    const [holder = '', from = ''] = rest.split(':', 2);
    if (from === '' || from === origin || !Object.hasOwn(CACHE_OF, holder)) return;
    caches[CACHE_OF[holder as KeyHolder]].forgetId(rest.slice(holder.length + from.length + 2));
  });
  return { ...caches, origin };
});

/**
 * Inside the transaction that rotates or revokes the keys of `id` (an owner id, an integrator slug, an agent DID), or
 * revokes the agent of management tokens: announces it as the transaction commits, so every other process forgets
 * the principal's keys (a no-op on SQLite, one process). The caller forgets them here itself once it committed.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await store.revokeOwnerApiKeys(trx, ownerId, now);
 *   await announceKeysDropped(trx, ctx, 'owner', ownerId);
 * });
 * recentKeysOf(ctx).owner.forgetId(ownerId);
 */
export async function announceKeysDropped(
  trx: Kysely<Database>,
  ctx: AppContext,
  holder: KeyHolder,
  id: string,
): Promise<void> {
  await announceChange(trx, ctx.storage.engine, keysDroppedTopic(ctx, holder, id));
}

/** The topic this app announces when the keys of `id` are dropped (exported for tests). */
export function keysDroppedTopic(ctx: AppContext, holder: KeyHolder, id: string): string {
  return `${KEYS_DROPPED}${holder}:${recentKeysOf(ctx).origin}:${id}`;
}
