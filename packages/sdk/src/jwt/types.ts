import type { JsonValue } from '../json/types.ts';

/** A JOSE header as Vouch reads it: only the members it understands are typed. */
export interface JwsHeader {
  alg: string;
  typ?: string;
  kid?: string;
  [member: string]: JsonValue | undefined;
}

/** Registered JWT claims (RFC 7519 §4.1) plus any others. Times are seconds since the epoch. */
export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  nonce?: string;
  [claim: string]: JsonValue | undefined;
}

/** The parts of a compact JWS, decoded strictly but not yet verified. */
export interface DecodedJws {
  header: JwsHeader;
  /** The decoded payload bytes. */
  payload: Uint8Array;
  /** `base64url(header) "." base64url(payload)`: the bytes the signature covers. */
  signingInput: Uint8Array;
  signature: Uint8Array;
}

/** Internal: deepest nesting of a token's header and claims that the verifiers read (and signJwt signs). */
export const MAX_JWT_JSON_DEPTH = 16;

/** Largest compact token accepted before any decoding: bounds the work an attacker can cause. */
export const MAX_TOKEN_LENGTH = 8192;

/** Header members that would let a token choose its own key or extensions; Vouch never honours them. */
export const FORBIDDEN_HEADER_MEMBERS: readonly string[] = Object.freeze([
  'jwk',
  'jku',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
  'crit',
  'b64',
]);
