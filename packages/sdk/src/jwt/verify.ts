import { VouchError } from '../errors.ts';
import { isVouchError } from '../errors.ts';
import { parseStrict } from '../json/parse-strict.ts';
import type { JwtClaims, JwsHeader } from './types.ts';
import { MAX_JWT_JSON_DEPTH } from './types.ts';
import { decodeJwsForVerify } from './decode.ts';
import { checkJwsOptions, verifyDecodedJws } from './verify-jws.ts';
import type { VerifyJwsOptions } from './verify-jws.ts';
import { nowSecondsOf, secondsOption } from '../lib/time-options.ts';

export interface VerifyJwtOptions extends VerifyJwsOptions {
  /** The only accepted `iss`. */
  issuer: string;
  /** When given, `aud` must equal it (or contain it, when `aud` is a list). */
  audience?: string;
  /** When given, the `nonce` claim must equal it. */
  nonce?: string;
  /** The reference time, in milliseconds since the epoch; one value for every time check. */
  now: number;
  /** Allowance for clocks that disagree, in seconds (default 60). */
  clockSkewSeconds?: number;
  /** Claims that must be present (default: iss, sub, iat, exp, jti). */
  requiredClaims?: readonly string[];
}

export interface VerifiedJwt {
  header: JwsHeader;
  claims: JwtClaims;
}

const DEFAULT_REQUIRED = ['iss', 'sub', 'iat', 'exp', 'jti'] as const;
const NUMERIC = ['exp', 'nbf', 'iat'] as const;
const STRINGS = ['iss', 'sub', 'jti', 'nonce'] as const;

function claimError(message: string): VouchError {
  return new VouchError('JWT_CLAIM_INVALID', message);
}

/**
 * Verifies a JWT: the JWS checks of {@link verifyJws}, then the claims against one reference time — types of the
 * registered claims, required claims, `iss`, `exp`/`nbf`/`iat` with the skew allowance, `aud` and `nonce`. Errors:
 * the JWS codes plus `JWT_CLAIM_INVALID`, `JWT_ISSUER_MISMATCH`, `JWT_EXPIRED`, `JWT_NOT_YET_VALID`,
 * `JWT_ISSUED_IN_FUTURE`, `JWT_AUDIENCE_MISMATCH`, `JWT_NONCE_MISMATCH`.
 *
 * @example
 * ```ts
 * const { claims } = await verifyJwt(token, { resolveKey, issuer: 'https://vouch.example', now: Date.now() });
 * ```
 */
export async function verifyJwt(token: string, options: VerifyJwtOptions): Promise<VerifiedJwt> {
  if (typeof options !== 'object' || options === null) {
    throw new VouchError('INVALID_ARGUMENT', 'verifyJwt needs options with resolveKey, issuer and now.');
  }
  // Checked here, not left to the claim check: an issuer left out would compare equal to a token without `iss`.
  if (typeof options.issuer !== 'string' || options.issuer === '') {
    throw new VouchError('INVALID_ARGUMENT', 'verifyJwt needs the issuer it accepts, a non-empty string.');
  }
  checkJwsOptions(options);
  // The decoded bytes stay inside: only the header and the parsed claims are returned.
  const jws = decodeJwsForVerify(token, options.maxLength);
  await verifyDecodedJws(jws, options, token);
  return { header: jws.header, claims: checkClaims(jws.payload, options) };
}

/** The claim checks of {@link verifyJwt}, run once the signature is good. */
export type ClaimCheckOptions = Pick<
  VerifyJwtOptions,
  'issuer' | 'audience' | 'nonce' | 'now' | 'clockSkewSeconds' | 'requiredClaims'
>;

/** Internal: the claim checks of {@link verifyJwt} on the payload bytes of a token whose signature is good. */
export function checkClaims(payload: Uint8Array, options: ClaimCheckOptions): JwtClaims {
  let parsed: unknown;
  try {
    parsed = parseStrict(payload, { maxDepth: MAX_JWT_JSON_DEPTH });
  } catch (err) {
    if (isVouchError(err)) throw new VouchError('JWT_MALFORMED', `The token payload is not strict JSON (${err.code}).`);
    throw err;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new VouchError('JWT_MALFORMED', 'The token payload is not a JSON object.');
  }
  const claims = parsed as JwtClaims;
  for (const name of NUMERIC) {
    const v = claims[name];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v)))
      throw claimError(`"${name}" is not a number.`);
  }
  for (const name of STRINGS) {
    if (claims[name] !== undefined && typeof claims[name] !== 'string') throw claimError(`"${name}" is not a string.`);
  }
  const aud = claims.aud;
  if (
    aud !== undefined &&
    typeof aud !== 'string' &&
    !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))
  ) {
    throw claimError('"aud" is not a string or a list of strings.');
  }
  for (const name of options.requiredClaims ?? DEFAULT_REQUIRED) {
    if (claims[name] === undefined) throw claimError(`The token lacks the "${name}" claim.`);
  }

  if (claims.iss !== options.issuer)
    throw new VouchError('JWT_ISSUER_MISMATCH', 'The token was issued by someone else.');
  const now = nowSecondsOf(options.now);
  const skew = secondsOption(options.clockSkewSeconds, 60, 'clockSkewSeconds');
  if (claims.exp !== undefined && now - skew >= claims.exp)
    throw new VouchError('JWT_EXPIRED', 'The token has expired.');
  if (claims.nbf !== undefined && now + skew < claims.nbf) {
    throw new VouchError('JWT_NOT_YET_VALID', 'The token is not valid yet.');
  }
  if (claims.iat !== undefined && now + skew < claims.iat) {
    throw new VouchError('JWT_ISSUED_IN_FUTURE', 'The token claims to be issued in the future.');
  }
  if (options.audience !== undefined) {
    const auds = aud === undefined ? [] : typeof aud === 'string' ? [aud] : aud;
    if (!auds.includes(options.audience)) {
      throw new VouchError('JWT_AUDIENCE_MISMATCH', 'The token is not meant for this audience.');
    }
  }
  if (options.nonce !== undefined && claims.nonce !== options.nonce) {
    throw new VouchError('JWT_NONCE_MISMATCH', 'The token nonce does not match.');
  }
  return claims;
}
