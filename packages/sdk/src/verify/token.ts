import type { CryptoProvider } from '../crypto/provider.ts';
import type { Jwks } from '../jwt/keys.ts';
import { aipKeysFromJwks } from '../aip/jwks.ts';
import { verifyAipToken } from '../aip/verify-token.ts';
import type { AipTokenType, VerifiedAipToken } from '../aip/types.ts';
import { defaultCrypto } from '../client/runtime.ts';
import type { VerifierCache } from './cache.ts';
import { failureOf } from './result.ts';
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

/**
 * Verifies an agent identity or session token offline, from cached documents: the issuer and keys of the
 * discovery document and the cached revocation list — the server's checks 1–5 and the `jti` check (the SDK's
 * `verifyAipToken`). A token revoked after the cache was fetched is caught only by a fresher cache.
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
  options: VerifyTokenOptions = {},
): Promise<VerifyResult<{ token: VerifiedAipToken; claims: VerifiedAipToken['claims'] }>> {
  const revoked = new Set(cache.revocations.jtis);
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
      crypto: options.crypto ?? defaultCrypto(),
    });
    return { valid: true, token: verified, claims: verified.claims };
  } catch (err) {
    return failureOf(err);
  }
}
