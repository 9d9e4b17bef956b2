// The server's ES256 token keys as this process sees them: the active signing key and every published key by kid,
// loaded from the database (sealed private keys) and cached briefly. Shared state stays in the database: a rotation
// in another process is announced as it commits (PostgreSQL LISTEN/NOTIFY) and forgets the keys here; unheard, it
// shows up at the next reload, or at once for a token whose kid is unknown here.
import { parsePrivateKey } from '@vouch/sdk';
import type { KeyResolver, PrivateKey, PublicKey } from '@vouch/sdk';
import { es256KeyFromJwk } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ensureServerKey, listServerKeys, listServerKeyStates } from '../../storage/index.ts';
import * as store from './store.ts';
import { perApp } from '../../per-app.ts';
import { CachedLoad } from '../../cached-load.ts';
import { onSharedChange, serverKeysTopic } from '../../cache-invalidation.ts';

/** The purpose under which the token keys are stored (`SERVER_KEY_PURPOSES` in start.ts). */
export const TOKEN_KEY_PURPOSE = 'tokens';

/**
 * How long a loaded key set is trusted before it is read again. On PostgreSQL another process's rotation or drop is
 * announced as it commits and forgets the keys at once (cache-invalidation.ts); this bounds staleness while the
 * announcements cannot be heard (the listener reconnecting).
 */
const CACHE_MS = 10_000;
/** A token with an unknown kid reloads the keys at most this often (junk tokens cannot hammer the database). */
const UNKNOWN_KID_RELOAD_MS = 1000;

/** One token key as published and listed. */
export interface TokenKey {
  kid: string;
  generation: number;
  status: 'active' | 'retired';
  createdAt: number;
  retiredAt: number | null;
  /** When a retired key leaves the JWKS (ms): after its last token's expiry plus the skew. Null while active. */
  dropsAt: number | null;
  /** `{kty, crv, x, y, kid, alg, use}`. */
  publicJwk: Record<string, unknown>;
  publicKey: PublicKey;
}

interface Loaded {
  /** kid:status of every stored key, newest first: compared with the database to spot another process's rotation. */
  fingerprint: string;
  signing: { kid: string; privateKey: PrivateKey };
  keys: TokenKey[];
}

/** Whether a key still verifies (and is published) at `now`. */
export function isPublished(key: TokenKey, now: number): boolean {
  return key.status === 'active' || (key.dropsAt !== null && now < key.dropsAt);
}

export class Keyring {
  readonly #ctx: AppContext;
  readonly #cache: CachedLoad<Loaded>;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#cache = new CachedLoad(ctx.clock, () => this.#load());
    onSharedChange(ctx, [serverKeysTopic(TOKEN_KEY_PURPOSE)], () => this.invalidate());
  }

  /** Forgets the cached keys (after a rotation in this or, announced, another process), and any load under way that read them before. */
  invalidate(): void {
    this.#cache.invalidate();
  }

  #state(maxAgeMs = CACHE_MS): Promise<Loaded> {
    return this.#cache.get(maxAgeMs);
  }

  async #load(): Promise<Loaded> {
    const { storage, kek, clock, config } = this.#ctx;
    await ensureServerKey(storage, kek, TOKEN_KEY_PURPOSE, 'ES256', clock.now());
    const rows = await listServerKeys(storage, kek, TOKEN_KEY_PURPOSE);
    const fingerprint = rows.map((r) => `${r.kid}:${r.status}`).join(',');
    const retired = rows.filter((r) => r.status === 'retired').map((r) => r.kid);
    const lastExpiry = await store.lastExpiryByKid(storage.db, retired);
    const skewMs = config.clockSkewSeconds * 1000;
    const keys: TokenKey[] = [];
    let signing: Loaded['signing'] | undefined;
    for (const row of rows) {
      const publicJwk = { ...(row.publicJwk as Record<string, unknown>) };
      const publicKey = es256KeyFromJwk(publicJwk);
      if (row.alg !== 'ES256' || publicKey === undefined) continue;
      const retiredAt = row.retiredAt ?? row.createdAt;
      keys.push({
        kid: row.kid,
        generation: row.generation,
        status: row.status,
        createdAt: row.createdAt,
        retiredAt: row.retiredAt,
        dropsAt: row.status === 'active' ? null : Math.max(retiredAt, lastExpiry.get(row.kid) ?? 0) + skewMs,
        publicJwk,
        publicKey,
      });
      // listServerKeys orders by newest generation first: the first active key signs.
      if (row.status === 'active' && signing === undefined) {
        signing = { kid: row.kid, privateKey: parsePrivateKey(row.privateKey.export({ format: 'jwk' })) };
      }
    }
    if (signing === undefined) throw new Error('No active ES256 token key after ensureServerKey.');
    return { fingerprint, signing, keys };
  }

  /** The active key that signs new tokens. */
  async signingKey(): Promise<{ kid: string; privateKey: PrivateKey }> {
    return (await this.#state()).signing;
  }

  /**
   * Every key (active, retired, and retired keys already past their drop time), newest first. With `fresh`, checked
   * against the database first as in {@link publishedKeys}: the admin listing then shows another process's rotation.
   */
  async allKeys(options: { fresh?: boolean } = {}): Promise<TokenKey[]> {
    return (await this.#current(options.fresh === true)).keys;
  }

  /** The loaded keys; with `fresh`, reloaded first if a cheap query (no private key opened) shows they changed. */
  async #current(fresh: boolean): Promise<Loaded> {
    const state = await this.#state();
    if (!fresh) return state;
    const states = await listServerKeyStates(this.#ctx.storage, TOKEN_KEY_PURPOSE);
    if (states.map((r) => `${r.kid}:${r.status}`).join(',') === state.fingerprint) return state;
    this.invalidate();
    return this.#state();
  }

  /**
   * The keys that verify now: the active key and retired keys with a live token; newest first. With `fresh`, a cheap
   * query (no private key opened) first checks that no other process rotated since the keys were loaded: what the
   * JWKS publishes is then never behind the database.
   */
  async publishedKeys(options: { fresh?: boolean } = {}): Promise<TokenKey[]> {
    const state = await this.#current(options.fresh === true);
    const now = this.#ctx.clock.now();
    return state.keys.filter((k) => isPublished(k, now));
  }

  /**
   * When the key `kid` was retired (ms), or null while it is active (0 for a key no longer stored). Synchronous and without a
   * query right after {@link resolveKey} found the kid: verifyToken asks it for every token, and the active key's
   * answer is one comparison.
   */
  retiredAt(kid: string): number | null | Promise<number | null> {
    const loaded = this.#cache.peek();
    if (loaded === undefined) return this.#state().then((l) => retiredAtOf(l, kid));
    if (loaded.signing.kid === kid) return null;
    return retiredAtOf(loaded, kid);
  }

  /** Finds a published key strictly by kid; an unknown kid reloads the keys (rate-limited) once before failing. */
  readonly resolveKey: KeyResolver = (kid) => {
    if (kid === undefined) return undefined;
    // Synchronous while the loaded keys are fresh and know the kid (the steady state of every verification), and
    // without a closure per call: this runs for every token.
    const loaded = this.#cache.fresh(CACHE_MS);
    const found = loaded === undefined ? undefined : publishedKeyOf(loaded, kid, this.#ctx.clock.now());
    if (found !== undefined) return found;
    return this.#resolveLoading(kid);
  };

  async #resolveLoading(kid: string): Promise<PublicKey | undefined> {
    const loaded = await this.#state();
    return (
      publishedKeyOf(loaded, kid, this.#ctx.clock.now()) ??
      publishedKeyOf(await this.#state(UNKNOWN_KID_RELOAD_MS), kid, this.#ctx.clock.now())
    );
  }
}

function retiredAtOf(loaded: Loaded, kid: string): number | null {
  for (const k of loaded.keys) if (k.kid === kid) return k.status === 'active' ? null : (k.retiredAt ?? k.createdAt);
  // Dropped since the signature check (e.g. a compromised key): as if retired before anything it signed.
  return 0;
}

function publishedKeyOf(loaded: Loaded, kid: string, now: number): PublicKey | undefined {
  for (const k of loaded.keys) if (k.kid === kid && isPublished(k, now)) return k.publicKey;
  return undefined;
}

/** The keyring of one app (one per process and app). */
export const keyringOf: (ctx: AppContext) => Keyring = perApp((ctx) => new Keyring(ctx));
