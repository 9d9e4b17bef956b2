// Which owner keys, integrator keys and management tokens authenticated lately in this process, so the policy can
// count a request carrying one in its principal's rate-limit bucket without a lookup (see policyHook in ./policy.ts).
import { perApp } from '../per-app.ts';

/** Most keys each cache holds, some 200 bytes each: a full cache forgets the key used longest ago. */
export const RECENT_KEYS_MAX = 4096;

/**
 * SHA-256 digests (hashSecret) of keys that authenticated lately, each with its principal's id, the least recently
 * used first. Filled by an authenticator once the database found the key; emptied of a key when it fails to
 * authenticate or is rotated away in this process. It never authenticates: a key found here only changes the bucket
 * a request is counted in, and the authenticator still looks the key up. A key held here is a key that worked, so
 * only holders of valid keys can fill it (owners and integrators are made by the admin). Management tokens come
 * with registrations, which anyone may make at a per-address rate: one who fills the cache with tokens of their own
 * only pushes other tokens back to being counted per address, as they were before it held them.
 */
export class RecentKeys {
  /** By digest, in the order of their last use (a use moves a key to the end). */
  readonly #ids = new Map<string, string>();
  readonly max: number;

  constructor(max = RECENT_KEYS_MAX) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('max must be a positive integer.');
    this.max = max;
  }

  /** How many keys are held. */
  get size(): number {
    return this.#ids.size;
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
    this.#ids.delete(digest);
    if (this.#ids.size >= this.max) this.#ids.delete(this.#ids.keys().next().value!);
    this.#ids.set(digest, id);
  }

  /** Drops a key (it failed to authenticate). */
  forget(digest: string): void {
    this.#ids.delete(digest);
  }

  /** Drops every key of the principal `id` (its keys were rotated away, or its agent revoked). */
  forgetId(id: string): void {
    for (const [digest, held] of this.#ids) if (held === id) this.#ids.delete(digest);
  }
}

/** Each app's caches, one per kind of key looked up in the database. */
export const recentKeysOf = perApp(() => ({
  owner: new RecentKeys(),
  integrator: new RecentKeys(),
  managementToken: new RecentKeys(),
}));
