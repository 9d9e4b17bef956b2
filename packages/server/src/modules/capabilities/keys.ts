// The gateway's Ed25519 capability key as this process sees it: the active key signs; a stored key verifies by kid
// while it is active, and once retired only tokens it could have signed, until the last of them has expired (so
// rotating a leaked key does stop it). Loaded from the database (sealed private keys) and cached; an unknown kid
// reloads at most once a second, so a rotation in another process is seen without letting junk tokens hammer the
// database.
import { CAPABILITY_KEY_PURPOSE, CAPABILITY_TIER_MAX_SECONDS, parsePrivateKey, parsePublicKey } from '@vouch/sdk';
import type { PrivateKey, PublicKey } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ensureServerKey, listServerKeys } from '../../storage/index.ts';
import { perApp } from '../../per-app.ts';
import { CachedLoad } from '../../cached-load.ts';
import { onSharedChange, serverKeysTopic } from '../../cache-invalidation.ts';

/**
 * How long loaded keys are used: also how long another process may still sign with a key retired here (on
 * PostgreSQL the rotation is announced and forgets them at once; this is the bound when the announcement is missed).
 */
const CACHE_MS = 60_000;
const UNKNOWN_KID_RELOAD_MS = 1000;
/** The longest lifetime of any token (the `observe` tier), ms. */
const MAX_TOKEN_MS = Math.max(...Object.values(CAPABILITY_TIER_MAX_SECONDS)) * 1000;

/**
 * When a capability key retired at `retiredAt` (ms) stops verifying, and leaves /.well-known/vouch-keys.json: another
 * process signs with it until its key cache expires (its clock may differ by the skew), and the last token it can
 * have signed lives at most the longest tier.
 */
export function capabilityKeyDropsAt(retiredAt: number, clockSkewSeconds: number): number {
  return capabilityKeyIssuedUntil(retiredAt, clockSkewSeconds) + MAX_TOKEN_MS + clockSkewSeconds * 1000;
}

function capabilityKeyIssuedUntil(retiredAt: number, clockSkewSeconds: number): number {
  return retiredAt + CACHE_MS + clockSkewSeconds * 1000;
}

/** A capability key that verifies. */
export interface VerifyingKey {
  publicKey: PublicKey;
  /** Latest `iat` (ms) of a token this key can have signed; null while it is active. */
  issuedUntil: number | null;
}

interface StoredKey extends VerifyingKey {
  /** When it stops verifying (ms): no token it signed can be live then. Null while active. */
  dropsAt: number | null;
}

interface Loaded {
  signing: { kid: string; privateKey: PrivateKey };
  byKid: Map<string, StoredKey>;
}

export class GatewayKeys {
  readonly #ctx: AppContext;
  readonly #cache: CachedLoad<Loaded>;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#cache = new CachedLoad(ctx.clock, () => this.#load());
    // Another process's rotation, announced as it commits (PostgreSQL): this one signs with the new key at once.
    onSharedChange(ctx, [serverKeysTopic(CAPABILITY_KEY_PURPOSE)], () => this.invalidate());
  }

  #state(maxAgeMs = CACHE_MS): Promise<Loaded> {
    return this.#cache.get(maxAgeMs);
  }

  async #load(): Promise<Loaded> {
    const { storage, kek, clock, config } = this.#ctx;
    await ensureServerKey(storage, kek, CAPABILITY_KEY_PURPOSE, 'EdDSA', clock.now());
    const rows = await listServerKeys(storage, kek, CAPABILITY_KEY_PURPOSE);
    const byKid = new Map<string, StoredKey>();
    let signing: Loaded['signing'] | undefined;
    for (const row of rows) {
      if (row.alg !== 'EdDSA') continue;
      const publicKey = parsePublicKey(row.publicJwk as Record<string, unknown>, { type: 'Ed25519' });
      if (row.status === 'active') {
        byKid.set(row.kid, { publicKey, issuedUntil: null, dropsAt: null });
      } else {
        const retiredAt = row.retiredAt ?? row.createdAt;
        byKid.set(row.kid, {
          publicKey,
          issuedUntil: capabilityKeyIssuedUntil(retiredAt, config.clockSkewSeconds),
          dropsAt: capabilityKeyDropsAt(retiredAt, config.clockSkewSeconds),
        });
      }
      // Newest generation first: the first active key signs.
      if (row.status === 'active' && signing === undefined) {
        signing = { kid: row.kid, privateKey: parsePrivateKey(row.privateKey.export({ format: 'jwk' })) };
      }
    }
    if (signing === undefined) throw new Error('No active capability key after ensureServerKey.');
    return { signing, byKid };
  }

  /** Forgets the loaded keys (after a rotation in this process) and any load under way: the next use reads again. */
  invalidate(): void {
    this.#cache.invalidate();
  }

  /** The key that signs new tokens. */
  async signingKey(): Promise<{ kid: string; privateKey: PrivateKey }> {
    return (await this.#state()).signing;
  }

  /**
   * The key `kid` names, strictly, if it verifies now; the caller must also check the token's `iat` against
   * `issuedUntil`. A retired key past its drop time is known, so it does not cost a reload.
   *
   * @example
   * const key = await gatewayKeysOf(ctx).verifyingKey(header.kid);
   */
  async verifyingKey(kid: string | undefined): Promise<VerifyingKey | undefined> {
    if (kid === undefined) return undefined;
    const found = (await this.#state()).byKid.get(kid) ?? (await this.#state(UNKNOWN_KID_RELOAD_MS)).byKid.get(kid);
    if (found === undefined || (found.dropsAt !== null && this.#ctx.clock.now() >= found.dropsAt)) return undefined;
    return found;
  }
}

/** The gateway keys of one app. */
export const gatewayKeysOf: (ctx: AppContext) => GatewayKeys = perApp((ctx) => new GatewayKeys(ctx));
