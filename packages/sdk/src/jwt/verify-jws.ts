import { VouchError } from '../errors.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import type { CryptoProvider, SignatureAlgorithm } from '../crypto/provider.ts';
import { algorithmFor } from '../crypto/algorithms.ts';
import { decodeJws } from './decode.ts';
import type { KeyResolver } from './keys.ts';
import type { DecodedJws } from './types.ts';
import { FORBIDDEN_HEADER_MEMBERS, MAX_TOKEN_LENGTH } from './types.ts';

export interface VerifyJwsOptions {
  resolveKey: KeyResolver;
  /** Accepted `alg` values, compared exactly (so `none`, `NONE`, `HS256`... fail). Default: `['ES256']`. */
  algorithms?: readonly SignatureAlgorithm[];
  /** Accepted header `typ` values (compared case-insensitively); undefined accepts any or none. */
  typ?: string | readonly string[];
  maxLength?: number;
  crypto?: CryptoProvider;
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

/**
 * Verifies a compact JWS, in this order: strict structure and base64url; `alg` on the allow-list; no header
 * member that would let the token pick its own key (`jwk`, `jku`, `x5u`, `x5c`...) or demand extensions (`crit`,
 * `b64`); `typ`; the key found strictly by `kid`; the key's type fits `alg`; the signature. Each failure throws a
 * `VouchError` with its own code: `JWT_TOO_LARGE`, `JWT_MALFORMED`, `JWT_ALG_NOT_ALLOWED`, `JWT_HEADER_FORBIDDEN`,
 * `JWT_TYP_MISMATCH`, `JWT_KID_UNKNOWN`, `JWT_SIGNATURE_INVALID`.
 *
 * @example
 * ```ts
 * const { header, payload } = await verifyJws(token, { resolveKey: keysFromJwks(jwks) });
 * ```
 */
export async function verifyJws(token: string, options: VerifyJwsOptions): Promise<DecodedJws> {
  const jws = decodeJws(token, options.maxLength ?? MAX_TOKEN_LENGTH);
  const { header } = jws;
  const algorithms = options.algorithms ?? ['ES256'];
  if (!algorithms.includes(header.alg as SignatureAlgorithm)) {
    throw new VouchError(
      'JWT_ALG_NOT_ALLOWED',
      `The algorithm is not accepted here (accepted: ${algorithms.join(', ')}).`,
    );
  }
  for (const member of FORBIDDEN_HEADER_MEMBERS) {
    if (member in header) {
      throw new VouchError('JWT_HEADER_FORBIDDEN', `The token header carries "${member}", which is never honoured.`);
    }
  }
  if (options.typ !== undefined) {
    const accepted = (typeof options.typ === 'string' ? [options.typ] : options.typ).map((t) => t.toLowerCase());
    if (typeof header.typ !== 'string' || !accepted.includes(header.typ.toLowerCase())) {
      throw new VouchError('JWT_TYP_MISMATCH', `The token type is not ${accepted.join(' or ')}.`);
    }
  }
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    throw new VouchError('JWT_MALFORMED', 'The token header "kid" is not a string.');
  }
  const resolved = options.resolveKey(header.kid, header);
  // A resolver that answers synchronously (a cached key) costs no extra turn of the microtask queue.
  const key = isPromiseLike(resolved) ? await resolved : resolved;
  if (key === undefined) throw new VouchError('JWT_KID_UNKNOWN', 'No known key has the token\'s "kid".');
  if (algorithmFor(key.type) !== header.alg) {
    throw new VouchError('JWT_ALG_NOT_ALLOWED', 'The token\'s algorithm does not fit the key its "kid" names.');
  }
  const crypto = options.crypto ?? getDefaultCrypto();
  const ok = await crypto.verify(header.alg as SignatureAlgorithm, key, jws.signature, jws.signingInput);
  if (!ok) throw new VouchError('JWT_SIGNATURE_INVALID', 'The token signature is not valid.');
  return jws;
}
