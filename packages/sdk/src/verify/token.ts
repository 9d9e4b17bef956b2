import type { CryptoProvider } from '../crypto/provider.ts';
import type { Jwks } from '../jwt/keys.ts';
import { aipKeysFromJwks } from '../aip/jwks.ts';
import { verifyAipToken } from '../aip/verify-token.ts';
import type { AipTokenType, VerifiedAipToken } from '../aip/types.ts';
import { defaultCrypto } from '../client/runtime.ts';
import type { VerifierCache } from './cache.ts';
import { optionsObject } from '../lib/options-object.ts';
import { cryptoOption } from '../lib/crypto-option.ts';
import { failureOf, invalid } from './result.ts';
import type { VerifyResult } from './result.ts';

export interface VerifyTokenOptions {
  /** Reference time, ms (default now). */
  now?: number;
  /** Require a session token for exactly this audience. */
  audience?: string;
  nonce?: string;
  tokenType?: AipTokenType;
  clockSkewSeconds?: number;
  crypto?: CryptoProvider;
}

// The revoked-jti set of each revocation list, built once per list array rather than on every verification (a list
// may hold ~1M entries). The length is kept too, so a list appended to in place is read again; any other in-place edit
// (an entry replaced) is not seen: a cache is to be treated as immutable (see VerifierCache.revocations).
const revokedSets = new WeakMap<readonly unknown[], { length: number; set: Set<string> }>();

/** The revoked jtis of a cache read back from storage, or undefined when its members are not of their types. */
function revokedOf(cache: unknown): Set<string> | undefined {
  const c = cache as { discovery?: unknown; revocations?: unknown } | null;
  if (typeof c !== 'object' || c === null) return undefined;
  const d = c.discovery as { issuer?: unknown; keys?: unknown } | null;
  if (typeof d !== 'object' || d === null || typeof d.issuer !== 'string' || !Array.isArray(d.keys)) return undefined;
  const jtis = (c.revocations as { jtis?: unknown } | null)?.jtis;
  if (!Array.isArray(jtis)) return undefined;
  const known = revokedSets.get(jtis);
  if (known !== undefined && known.length === jtis.length) return known.set;
  // Checked once with the set: a list that failed is not remembered, so it is refused on every call.
  if (!jtis.every((j) => typeof j === 'string')) return undefined;
  const set = new Set<string>(jtis);
  revokedSets.set(jtis, { length: jtis.length, set });
  return set;
}

/**
 * Verifies an agent identity or session token offline, from cached documents: the issuer and keys of the
 * discovery document and the cached revocation list — the server's checks 1–5 and the `jti` check (the SDK's
 * `verifyAipToken`). A token revoked after the cache was fetched is caught only by a fresher cache. A cache whose
 * discovery document or revocation list is missing or of the wrong type (hand-edited) is `INVALID_ARGUMENT`, as is a
 * `crypto` that is not a CryptoProvider. The revocation list is indexed once per `jtis` array (and length), so treat a
 * cache as immutable: give a fresher cache, or a new `jtis` array, rather than editing entries in place.
 *
 * @example
 * ```ts
 * const r = await verifyToken(token, cache, { audience: 'shop.example' });
 * if (!r.valid) console.log(r.code); // e.g. JWT_EXPIRED, TOKEN_REVOKED
 * ```
 */
export async function verifyToken(
  token: string,
  cache: Pick<VerifierCache, 'discovery' | 'revocations'>,
  given?: VerifyTokenOptions,
): Promise<VerifyResult<{ token: VerifiedAipToken; claims: VerifiedAipToken['claims'] }>> {
  let options: VerifyTokenOptions;
  let crypto: CryptoProvider;
  try {
    options = optionsObject(given, 'verifyToken'); // null options: the defaults, as when absent
    crypto = cryptoOption(options.crypto, defaultCrypto); // not a provider: a verdict, not a TypeError later
  } catch (err) {
    return failureOf(err);
  }
  // Never read as an empty list: a revoked token would pass.
  const revoked = revokedOf(cache);
  if (revoked === undefined) {
    return invalid(
      'INVALID_ARGUMENT',
      'The cache lacks a discovery document (issuer, keys) or a revocation list (jtis) of the right type.',
    );
  }
  try {
    const verified = await verifyAipToken(token, {
      resolveKey: aipKeysFromJwks({ keys: cache.discovery.keys } as Jwks).resolveKey,
      issuer: cache.discovery.issuer,
      now: options.now ?? Date.now(),
      clockSkewSeconds: options.clockSkewSeconds,
      audience: options.audience,
      nonce: options.nonce,
      tokenType: options.tokenType,
      isRevoked: (jti) => revoked.has(jti),
      crypto,
    });
    return { valid: true, token: verified, claims: verified.claims };
  } catch (err) {
    return failureOf(err);
  }
}
