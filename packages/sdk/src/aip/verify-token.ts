import { VouchError } from '../errors.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { decodeJwt } from '../jwt/decode.ts';
import type { KeyResolver } from '../jwt/keys.ts';
import { decodeJwsForVerify } from '../jwt/decode.ts';
import { checkClaims } from '../jwt/verify.ts';
import {
  checkJwsSignature,
  checkResolveKey,
  isPromiseLike,
  resolveJwsKey,
  signatureInvalid,
} from '../jwt/verify-jws.ts';
import type { SignatureAlgorithm } from '../crypto/provider.ts';
import { signatureCacheInternal } from '../jwt/signature-cache.ts';
import type { SignatureCache } from '../jwt/signature-cache.ts';
import type { JwtClaims } from '../jwt/types.ts';
import { AIP_EXPIRES_IN, AIP_TYP, aipClaimName } from './types.ts';
import type { AipTokenType, VerifiedAipToken } from './types.ts';

export interface VerifyAipTokenOptions {
  resolveKey: KeyResolver;
  /** The only accepted `iss`. When absent, the keys alone pin the issuer (a static JWKS). */
  issuer?: string;
  /** The reference time in milliseconds since the epoch; one value for every time check. */
  now: number;
  /** Allowance for clocks that disagree, in seconds (default 60). */
  clockSkewSeconds?: number;
  /** When given, the token must be a session token whose `aud` is exactly this. */
  audience?: string;
  /** When given, the token's `nonce` must equal it. */
  nonce?: string;
  /** When given, the token must be of this type. */
  tokenType?: AipTokenType;
  /**
   * Tells whether a `jti` is revoked (checked last, after every offline check); `expiresAt` is the token's `exp` in
   * milliseconds. It may throw a `VouchError` to refuse the token otherwise.
   */
  isRevoked?: (jti: string, expiresAt: number) => boolean | Promise<boolean>;
  crypto?: CryptoProvider;
  /** Longest token accepted, in characters: a positive safe integer (`INVALID_ARGUMENT` otherwise). Default 8192. */
  maxLength?: number;
  /**
   * Good signatures already checked (see `createSignatureCache`): a token presented again skips its signature check;
   * every other check runs again.
   */
  signatureCache?: SignatureCache;
}

const TYPES = Object.entries(AIP_TYP) as Array<[AipTokenType, string]>;
const TYP_VALUES = TYPES.map(([, typ]) => typ);
const TYPE_BY_TYP = new Map(TYPES.map(([type, typ]) => [typ, type]));
const REQUIRED_CLAIMS = ['iss', 'sub', 'iat', 'exp', 'jti'] as const;
/** The longest `exp - iat` of an AIP token (s): the longest `expires_in`, for both types. */
const MAX_LIFETIME_SECONDS = Math.max(...Object.values(AIP_EXPIRES_IN));
const ALGORITHMS: readonly SignatureAlgorithm[] = ['ES256'];

interface ClaimNames {
  tokenType: string;
  deployer: string;
  framework: string;
  modelProviders: string;
}

// The namespaced claim names per issuer, built once: a verifier sees one issuer (a few at most); bounded anyway.
const claimNamesByIssuer = new Map<string, ClaimNames>();

function claimNamesOf(issuer: string): ClaimNames {
  let names = claimNamesByIssuer.get(issuer);
  if (names === undefined) {
    names = {
      tokenType: aipClaimName(issuer, 'token_type'),
      deployer: aipClaimName(issuer, 'deployer'),
      framework: aipClaimName(issuer, 'framework'),
      modelProviders: aipClaimName(issuer, 'model_providers'),
    };
    if (claimNamesByIssuer.size >= 64) claimNamesByIssuer.clear();
    claimNamesByIssuer.set(issuer, names);
  }
  return names;
}

function claimError(message: string): VouchError {
  return new VouchError('JWT_CLAIM_INVALID', message);
}

function optionalString(claims: JwtClaims, name: string): string | undefined {
  const v = claims[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw claimError(`The "${name}" claim is not a string.`);
  return v;
}

/**
 * Verifies an agent identity or session token, the checks in this order (each failure a `VouchError` with its
 * code): the JWS and JWT checks of `verifyJwt` (structure and strict base64url, `alg` ES256 only, no embedded or
 * remote keys, `typ` one of the two AIP types, key strictly by `kid`, signature, `iss`, required claims,
 * `exp`/`nbf`/`iat` with the skew); then the AIP rules: the header `typ` and the namespaced `token_type` claim agree
 * (`TOKEN_TYPE_MISMATCH`); a session token has one string `aud`, an identity token neither `aud` nor `nonce`
 * (`JWT_CLAIM_INVALID`); the caller's `tokenType`, `audience` (session only) and `nonce`
 * (`TOKEN_TYPE_MISMATCH`, `JWT_AUDIENCE_MISMATCH`, `JWT_NONCE_MISMATCH`); finally `isRevoked` (`TOKEN_REVOKED`).
 * The server and {@link createAipVerifier} both call this.
 *
 * @example
 * ```ts
 * const t = await verifyAipToken(token, { resolveKey, issuer: 'https://vouch.example', now: Date.now() });
 * t.agent; // 'did:identity:...'
 * ```
 */
export async function verifyAipToken(token: string, options: VerifyAipTokenOptions): Promise<VerifiedAipToken> {
  if (typeof options !== 'object' || options === null) {
    throw new VouchError('INVALID_ARGUMENT', 'verifyAipToken needs options with resolveKey and now.');
  }
  checkResolveKey(options.resolveKey);
  const cache = signatureCacheInternal(options.signatureCache);
  let issuer = options.issuer;
  if (issuer === undefined) {
    // Keys alone pin the issuer; the iss claim still has to be a string, and it namespaces the private claims.
    const iss = decodeJwt(token, options.maxLength).claims.iss;
    if (typeof iss !== 'string' || iss.length === 0) throw claimError('The token lacks the "iss" claim.');
    issuer = iss;
  }
  // verifyJwt's checks, inlined so that a cached key costs a single await (on the signature): the same steps in
  // the same order (see verifyJws and checkClaims).
  const jws = decodeJwsForVerify(token, options.maxLength);
  const resolved = resolveJwsKey(jws, options.resolveKey, ALGORITHMS, TYP_VALUES);
  const key = isPromiseLike(resolved) ? await resolved : resolved;
  const verdict = checkJwsSignature(jws, key, options.crypto, cache, token);
  if (verdict !== true) {
    if (!(await verdict)) throw signatureInvalid();
    cache?.add(token, jws.signature, key!);
  }
  const header = jws.header;
  const claims = checkClaims(jws.payload, {
    issuer,
    now: options.now,
    clockSkewSeconds: options.clockSkewSeconds,
    requiredClaims: REQUIRED_CLAIMS,
  });
  const typ = String(header.typ).toLowerCase();
  const tokenType = TYPE_BY_TYP.get(typ)!;
  const names = claimNamesOf(issuer);
  const claimedType = claims[names.tokenType];
  if (claimedType === undefined) throw claimError('The token lacks its token_type claim.');
  if (claimedType !== tokenType) {
    throw new VouchError('TOKEN_TYPE_MISMATCH', 'The token_type claim does not match the token header type.');
  }
  const sub = claims.sub as string;
  const jti = claims.jti as string;
  if (sub.length === 0 || jti.length === 0) throw claimError('The "sub" and "jti" claims must not be empty.');
  // No issuer hands out a longer one: a token that outlives every AIP lifetime was minted by a leaked key.
  if ((claims.exp as number) - (claims.iat as number) > MAX_LIFETIME_SECONDS) {
    throw new VouchError('TOKEN_LIFETIME_EXCEEDED', 'The token lives longer than any AIP token is issued for (24 h).');
  }

  let audience: string | undefined;
  const nonce = optionalString(claims, 'nonce');
  if (tokenType === 'session') {
    if (typeof claims.aud !== 'string' || claims.aud.length === 0) {
      throw claimError('A session token has exactly one audience ("aud" string).');
    }
    audience = claims.aud;
  } else if (claims.aud !== undefined || nonce !== undefined) {
    throw claimError('An identity token is not audience-bound: it carries no "aud" or "nonce".');
  }

  const deployer = optionalString(claims, names.deployer);
  const framework = optionalString(claims, names.framework);
  const providers = claims[names.modelProviders];
  if (providers !== undefined && !(Array.isArray(providers) && providers.every((p) => typeof p === 'string'))) {
    throw claimError('The model_providers claim is not a list of strings.');
  }

  if (options.tokenType !== undefined && options.tokenType !== tokenType) {
    throw new VouchError('TOKEN_TYPE_MISMATCH', `A ${options.tokenType} token is required here.`);
  }
  if (options.audience !== undefined) {
    if (tokenType !== 'session') {
      throw new VouchError('TOKEN_TYPE_MISMATCH', 'An audience-bound (session) token is required here.');
    }
    if (audience !== options.audience) {
      throw new VouchError('JWT_AUDIENCE_MISMATCH', 'The token is not meant for this audience.');
    }
  }
  if (options.nonce !== undefined && nonce !== options.nonce) {
    throw new VouchError('JWT_NONCE_MISMATCH', 'The token nonce does not match.');
  }
  if (options.isRevoked !== undefined) {
    const revoked = options.isRevoked(jti, (claims.exp as number) * 1000);
    if (revoked === true || (revoked !== false && (await revoked))) {
      throw new VouchError('TOKEN_REVOKED', 'The token has been revoked.');
    }
  }
  const out: VerifiedAipToken = {
    header,
    claims,
    tokenType,
    agent: sub,
    jti,
    expiresAt: (claims.exp as number) * 1000,
  };
  if (audience !== undefined) out.audience = audience;
  if (nonce !== undefined) out.nonce = nonce;
  if (deployer !== undefined) out.deployer = deployer;
  if (framework !== undefined) out.framework = framework;
  if (providers !== undefined) out.modelProviders = providers as string[];
  return out;
}
