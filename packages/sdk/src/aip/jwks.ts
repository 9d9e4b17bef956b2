// ES256 keys from a JWKS without node:crypto, so the verifier also runs in browsers. The same rules as
// `keysFromJwks` (signature keys only, kid alphabet, a duplicated kid is dropped), narrowed to P-256 / ES256, with
// the point checked to be on the curve here (node's parser does that elsewhere; WebCrypto only at import time).
import { decodeBase64url } from '../encoding/base64url.ts';
import { encodeHex } from '../encoding/hex.ts';
import { concatBytes } from '../lib/bytes.ts';
import { newPublicKey, type PublicKey } from '../keys/key.ts';
import type { Jwks, KeyResolver } from '../jwt/keys.ts';

/** Vouch's kids are RFC 7638 thumbprints; anything outside this alphabet never names a key. */
const KID = /^[A-Za-z0-9_.-]{1,128}$/;

// NIST P-256: y² = x³ − 3x + b over GF(p).
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

/** Whether the affine point (x, y) is on P-256 (the point at infinity has no affine form, so it never is). */
export function isOnP256(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== 32 || y.length !== 32) return false;
  const X = BigInt(`0x${encodeHex(x)}`);
  const Y = BigInt(`0x${encodeHex(y)}`);
  if (X >= P || Y >= P) return false;
  return mod(Y * Y) === mod(X * X * X - 3n * X + B);
}

function coordinate(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const bytes = decodeBase64url(value);
    return bytes.length === 32 ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** An ES256 public key from a JWK, or undefined when the JWK is not a usable P-256 signature key. */
export function es256KeyFromJwk(jwk: Record<string, unknown>): PublicKey | undefined {
  if (jwk === null || typeof jwk !== 'object') return undefined;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || jwk.d !== undefined) return undefined;
  if (jwk.alg !== undefined && jwk.alg !== 'ES256') return undefined;
  if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) return undefined;
  const x = coordinate(jwk.x);
  const y = coordinate(jwk.y);
  if (x === undefined || y === undefined || !isOnP256(x, y)) return undefined;
  return newPublicKey('P-256', concatBytes(Uint8Array.of(4), x, y));
}

/** The ES256 keys of a JWKS by kid, and a resolver over them. */
export interface AipKeySet {
  resolveKey: KeyResolver;
  /** The kids that resolve (unique, usable keys), in JWKS order. */
  kids: readonly string[];
}

/**
 * Reads the ES256 signature keys of a JWKS: `kty: EC`, `crv: P-256`, `alg` absent or `ES256`, `use` absent or
 * `sig`, `key_ops` absent or with `verify`, a point on the curve, a kid in the thumbprint alphabet. Keys that fail
 * are skipped; a kid listed twice is dropped entirely (ambiguous). Lookup is by exact kid.
 *
 * @example
 * ```ts
 * const { resolveKey } = aipKeysFromJwks(await (await fetch(jwksUri)).json());
 * ```
 */
export function aipKeysFromJwks(jwks: Jwks): AipKeySet {
  const byKid = new Map<string, PublicKey | null>();
  for (const jwk of Array.isArray(jwks?.keys) ? jwks.keys : []) {
    const kid = (jwk as Record<string, unknown> | null)?.kid;
    if (typeof kid !== 'string' || !KID.test(kid)) continue;
    const key = es256KeyFromJwk(jwk);
    if (key === undefined) continue;
    byKid.set(kid, byKid.has(kid) ? null : key);
  }
  const kids = [...byKid].filter(([, k]) => k !== null).map(([kid]) => kid);
  return {
    kids,
    // Exact lookup; only kids that passed KID were stored, so no other kid can match (no regex per token).
    resolveKey: (kid) => (kid !== undefined ? (byKid.get(kid) ?? undefined) : undefined),
  };
}
