import { VouchError } from '../errors.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import type { CryptoProvider, SignatureAlgorithm } from '../crypto/provider.ts';
import { algorithmFor } from '../crypto/algorithms.ts';
import { decodeJws } from './decode.ts';
import type { KeyResolver } from './keys.ts';
import type { PublicKey } from '../keys/key.ts';
import type { DecodedJws } from './types.ts';
import { signatureCacheInternal } from './signature-cache.ts';
import type { SignatureCache, SignatureCacheInternal } from './signature-cache.ts';
import { FORBIDDEN_HEADER_MEMBERS } from './types.ts';

export interface VerifyJwsOptions {
  resolveKey: KeyResolver;
  /** Accepted `alg` values, compared exactly (so `none`, `NONE`, `HS256`... fail). Default: `['ES256']`. */
  algorithms?: readonly SignatureAlgorithm[];
  /** Accepted header `typ` values (compared case-insensitively); undefined accepts any or none. */
  typ?: string | readonly string[];
  /** Longest token accepted, in characters: a positive safe integer (`INVALID_ARGUMENT` otherwise). Default 8192. */
  maxLength?: number;
  crypto?: CryptoProvider;
  /**
   * Good signatures already checked (see `createSignatureCache`): a token presented again skips its signature check.
   */
  signatureCache?: SignatureCache;
}

export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

const DEFAULT_ALGORITHMS: readonly SignatureAlgorithm[] = ['ES256'];

function typAccepted(typ: unknown, accepted: string | readonly string[]): boolean {
  if (typeof typ !== 'string') return false;
  const t = typ.toLowerCase();
  if (typeof accepted === 'string') return accepted.toLowerCase() === t;
  for (const a of accepted) if (a.toLowerCase() === t) return true;
  return false;
}

/**
 * Internal: the header checks of {@link verifyJws} on a decoded token (`alg`, forbidden members, `typ`, `kid`), then
 * the key lookup, whose answer is returned as the resolver gave it (a value, or a promise for a resolver that
 * fetches). Throws synchronously: call it from an async function.
 */
export function resolveJwsKey(
  jws: DecodedJws,
  resolveKey: KeyResolver,
  algorithms: readonly SignatureAlgorithm[] = DEFAULT_ALGORITHMS,
  typ?: string | readonly string[],
): ReturnType<KeyResolver> {
  const { header } = jws;
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
  if (typ !== undefined && !typAccepted(header.typ, typ)) {
    const accepted = (typeof typ === 'string' ? [typ] : typ).map((t) => t.toLowerCase());
    throw new VouchError('JWT_TYP_MISMATCH', `The token type is not ${accepted.join(' or ')}.`);
  }
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    throw new VouchError('JWT_MALFORMED', 'The token header "kid" is not a string.');
  }
  return resolveKey(header.kid, header);
}

/**
 * Internal: the last steps of {@link verifyJws} once the key is known — the key exists and fits `alg` (thrown
 * synchronously), then the signature: `true` at once when `cache` holds `token` under this key, otherwise the
 * provider's verdict, which the caller awaits (one turn, straight on the provider's promise) and, when good, adds to
 * `cache`.
 */
export function checkJwsSignature(
  jws: DecodedJws,
  key: PublicKey | null | undefined,
  crypto: CryptoProvider | undefined,
  cache?: SignatureCacheInternal,
  token?: string,
): true | Promise<boolean> {
  // A resolver written against a database or a Map answers null as readily as undefined: both are "no such key".
  if (key === undefined || key === null)
    throw new VouchError('JWT_KID_UNKNOWN', 'No known key has the token\'s "kid".');
  const alg = jws.header.alg;
  if (algorithmFor(key.type) !== alg) {
    throw new VouchError('JWT_ALG_NOT_ALLOWED', 'The token\'s algorithm does not fit the key its "kid" names.');
  }
  if (cache !== undefined && token !== undefined && cache.has(token, jws.signature, key)) return true;
  return (crypto ?? getDefaultCrypto()).verify(alg as SignatureAlgorithm, key, jws.signature, jws.signingInput);
}

export function signatureInvalid(): VouchError {
  return new VouchError('JWT_SIGNATURE_INVALID', 'The token signature is not valid.');
}

/** Internal: throws `INVALID_ARGUMENT` unless `resolveKey` is a function (checked before the token is read). */
export function checkResolveKey(resolveKey: unknown): void {
  if (typeof resolveKey !== 'function') throw new VouchError('INVALID_ARGUMENT', 'resolveKey must be a function.');
}

/**
 * Internal: the caller errors of {@link verifyJws}'s options, found before the token is read: `resolveKey` not a
 * function, `algorithms` not a list (null: the default), `typ` not a string or a list of strings.
 */
export function checkJwsOptions(options: VerifyJwsOptions): void {
  checkResolveKey(options.resolveKey);
  const { algorithms, typ } = options;
  if (algorithms !== undefined && algorithms !== null && !Array.isArray(algorithms)) {
    throw new VouchError('INVALID_ARGUMENT', 'algorithms must be a list of algorithm names.');
  }
  if (
    typ !== undefined &&
    typeof typ !== 'string' &&
    !(Array.isArray(typ) && typ.every((t: unknown) => typeof t === 'string'))
  ) {
    throw new VouchError('INVALID_ARGUMENT', 'typ must be a string or a list of strings.');
  }
}

/** Internal: every check of {@link verifyJws} on `token`, already decoded as `jws` (options checked). */
export async function verifyDecodedJws(jws: DecodedJws, options: VerifyJwsOptions, token: string): Promise<void> {
  const cache = signatureCacheInternal(options.signatureCache);
  // A null algorithms (a setting read from JSON) is the default, as an absent one.
  const resolved = resolveJwsKey(jws, options.resolveKey, options.algorithms ?? undefined, options.typ);
  // A resolver that answers synchronously (a cached key) costs no extra turn of the microtask queue.
  const key = isPromiseLike(resolved) ? await resolved : resolved;
  const verdict = checkJwsSignature(jws, key, options.crypto, cache, token);
  if (verdict !== true) {
    if (!(await verdict)) throw signatureInvalid();
    cache?.add(token, jws.signature, key!);
  }
}

/**
 * Verifies a compact JWS, in this order: strict structure and base64url; `alg` on the allow-list; no header
 * member that would let the token pick its own key (`jwk`, `jku`, `x5u`, `x5c`...) or demand extensions (`crit`,
 * `b64`); `typ`; the key found strictly by `kid`; the key's type fits `alg`; the signature. Each failure throws a
 * `VouchError` with its own code: `JWT_TOO_LARGE`, `JWT_MALFORMED`, `JWT_ALG_NOT_ALLOWED`, `JWT_HEADER_FORBIDDEN`,
 * `JWT_TYP_MISMATCH`, `JWT_KID_UNKNOWN`, `JWT_SIGNATURE_INVALID`. Options of the wrong type (`resolveKey` not a
 * function, `algorithms` not a list, `typ` not a string or a list of strings, `maxLength`) throw `INVALID_ARGUMENT`
 * before the token is read; a null `algorithms` is the default.
 *
 * @example
 * ```ts
 * const { header, payload } = await verifyJws(token, { resolveKey: keysFromJwks(jwks) });
 * ```
 */
export async function verifyJws(token: string, options: VerifyJwsOptions): Promise<DecodedJws> {
  if (typeof options !== 'object' || options === null) {
    throw new VouchError('INVALID_ARGUMENT', 'verifyJws needs options with resolveKey.');
  }
  checkJwsOptions(options);
  const jws = decodeJws(token, options.maxLength);
  await verifyDecodedJws(jws, options, token);
  return jws;
}
