// Capability tokens: signing (the gateway), strict decoding, and the one decision function the gateway and any
// offline verifier share. Every claim is covered by the signature over the exact bytes the gateway produced; a
// token is stored and passed around as its compact text, never re-serialized.
import { VouchError } from '../errors.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import type { PrivateKey } from '../keys/key.ts';
import { ed25519KeysOf } from '../keys/vouch-keys.ts';
import { keysFromJwks, type KeyResolver } from '../jwt/keys.ts';
import { signatureCacheInternal, type SignatureCache } from '../jwt/signature-cache.ts';
import { MAX_TOKEN_LENGTH, type JwsHeader } from '../jwt/types.ts';
import { decodeBase64url } from '../encoding/base64url.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { checkIssuer } from '../registry/check-issuer.ts';
import type { RegistryDocument } from '../registry/types.ts';
import { actionCovers, isAction, isResourcePattern, resourceCovers } from './resource.ts';
import {
  ed25519Verifies,
  isId,
  isSeconds,
  issuerKeyLapse,
  issuerKeyThumbprint,
  parseEd25519Jws,
  signEd25519Jws,
  type ParsedJws,
} from './lib.ts';
import {
  CAPABILITY_KEY_PURPOSE,
  CAPABILITY_TIER_MAX_SECONDS,
  CAPABILITY_TYP,
  type CapabilityClaims,
  type CapabilityDecision,
  type CapabilityDenyCode,
  type CapabilityRequest,
  type CapabilityTier,
} from './types.ts';
import { nowMsOf, nowSecondsOf, secondsOption } from '../lib/time-options.ts';

const CLAIM_NAMES = ['act', 'cth', 'exp', 'iat', 'iid', 'ikt', 'jti', 'par', 'res', 'sub', 'tier'].join(',');
/** Longest `par` chain a token may carry, whatever a gateway's configured depth. */
export const MAX_DELEGATION_CHAIN = 16;

function isTier(v: unknown): v is CapabilityTier {
  return typeof v === 'string' && Object.hasOwn(CAPABILITY_TIER_MAX_SECONDS, v);
}

const nullable = (v: unknown, max: number): boolean => v === null || isId(v, max);

/**
 * Reads capability claims strictly: exactly the eleven members, each of its type; `res` a resource pattern, `act`
 * an action, `tier` known, `par` a list of token ids. Throws `VouchError('INVALID_ARGUMENT')` otherwise.
 *
 * @example
 * ```ts
 * const claims = parseCapabilityClaims(JSON.parse(payloadText));
 * ```
 */
export function parseCapabilityClaims(value: unknown): CapabilityClaims {
  const bad = (why: string) => new VouchError('INVALID_ARGUMENT', `Capability claims: ${why}.`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad('not an object');
  const c = value as Record<string, unknown>;
  if (Object.keys(c).sort().join(',') !== CLAIM_NAMES) throw bad(`the members must be exactly ${CLAIM_NAMES}`);
  if (!isId(c.jti, 64) || !isId(c.sub)) throw bad('"jti" and "sub" must be ids');
  if (!isResourcePattern(c.res)) throw bad('"res" is not a resource pattern');
  if (!isAction(c.act)) throw bad('"act" is not an action');
  if (!isTier(c.tier)) throw bad('"tier" is not a tier');
  if (!isSeconds(c.iat) || !isSeconds(c.exp) || c.exp <= c.iat) throw bad('"iat" and "exp" must be whole seconds');
  if (!nullable(c.iid, 64) || !nullable(c.cth, 64) || !nullable(c.ikt, 64)) throw bad('"iid", "cth", "ikt"');
  if ((c.iid === null) !== (c.cth === null) || (c.iid === null) !== (c.ikt === null)) {
    throw bad('"iid", "cth" and "ikt" are all set or all null');
  }
  const par = c.par;
  if (!Array.isArray(par) || par.length > MAX_DELEGATION_CHAIN || !par.every((p) => isId(p, 64))) {
    throw bad('"par" must be a list of token ids');
  }
  return c as unknown as CapabilityClaims;
}

/**
 * Signs capability claims with the gateway's Ed25519 capability key (`kid`: its thumbprint, as published in
 * `/.well-known/vouch-keys.json`).
 *
 * @example
 * ```ts
 * const token = await signCapabilityToken(claims, gatewayKey, { kid });
 * ```
 */
export async function signCapabilityToken(
  claims: CapabilityClaims,
  privateKey: PrivateKey,
  options: { kid: string; crypto?: CryptoProvider },
): Promise<string> {
  // Required: a missing one (a JavaScript caller, settings read from JSON) is named, not a raw TypeError, and a token
  // without a kid (every verifier refuses it) is never signed.
  if (typeof options !== 'object' || options === null || typeof options.kid !== 'string' || options.kid === '') {
    throw new VouchError('INVALID_ARGUMENT', 'signCapabilityToken needs options with a kid.');
  }
  if (privateKey?.type !== 'Ed25519') throw new VouchError('INVALID_ARGUMENT', 'The capability key must be Ed25519.');
  const checked = parseCapabilityClaims(claims);
  const crypto = options.crypto ?? getDefaultCrypto();
  const payload: Record<string, unknown> = { ...checked, par: [...checked.par] };
  return signEd25519Jws(
    { typ: CAPABILITY_TYP, kid: options.kid },
    payload,
    (data) => crypto.sign('EdDSA', privateKey, data),
    'capability token',
  );
}

// Header segments already checked in full (a gateway key signs every token with the same header): the hot path
// skips re-parsing them. Only headers of tokens whose signature verified are kept (junk tokens, which can bring any
// number of headers, filled the cache for good and sent every genuine token down the slow path); bounded anyway,
// emptied when full.
const knownHeaders = new Map<string, JwsHeader>();
const MAX_KNOWN_HEADERS = 64;

/** Keeps the header of a token whose signature verified (decoded by the strict path: `header` was checked). */
function learnHeader(token: string, header: JwsHeader): void {
  const h = token.slice(0, token.indexOf('.'));
  if (knownHeaders.has(h)) return;
  if (knownHeaders.size >= MAX_KNOWN_HEADERS) knownHeaders.clear();
  knownHeaders.set(h, header);
}
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a capability token for a decision. A header seen before takes the fast path: strict base64url, then the
 * payload through `JSON.parse` — safe because the signature is checked over the exact bytes and the gateway never
 * signs JSON with duplicate keys. Anything else takes the fully strict path (`strict: true`: the caller teaches the
 * header cache once the signature verifies).
 */
function decodeForCheck(token: unknown): ParsedJws & { strict?: true } {
  if (typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH) {
    const a = token.indexOf('.');
    const b = token.indexOf('.', a + 1);
    const header = a > 0 ? knownHeaders.get(token.slice(0, a)) : undefined;
    if (header !== undefined && b > a && token.indexOf('.', b + 1) === -1 && b < token.length - 1) {
      try {
        const payload = JSON.parse(utf8.decode(decodeBase64url(token.slice(a + 1, b)))) as unknown;
        const signature = decodeBase64url(token.slice(b + 1));
        if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
          const signingInput = encodeUtf8(token.slice(0, b));
          const jws = { header, payload: new Uint8Array(0), signingInput, signature };
          return { jws, payload: payload as Record<string, unknown> };
        }
      } catch {
        // fall through to the strict path, which says what is wrong
      }
    }
  }
  return { ...parseEd25519Jws(token, CAPABILITY_TYP, 'JWT_MALFORMED', 'capability token'), strict: true };
}

/**
 * Decodes a capability token without verifying it (display, or finding the parent of a delegation before its
 * checks). Throws `JWT_MALFORMED` when it is not a well-formed capability token.
 *
 * @example
 * ```ts
 * const { claims } = decodeCapabilityToken(token);
 * ```
 */
export function decodeCapabilityToken(token: string): { header: JwsHeader; claims: CapabilityClaims } {
  const { jws, payload } = parseEd25519Jws(token, CAPABILITY_TYP, 'JWT_MALFORMED', 'capability token');
  try {
    return { header: jws.header, claims: parseCapabilityClaims(payload) };
  } catch (err) {
    throw new VouchError('JWT_MALFORMED', (err as Error).message);
  }
}

export interface VouchKeysResolverOptions {
  /**
   * Milliseconds since the epoch, read at each lookup of a key that has a `drops_at` (a resolver is kept while its
   * list is, so the time is not fixed when it is built); default `Date.now`.
   */
  now?: () => number;
}

/** The key statuses a Vouch server publishes (`active`, `retired`): a key with any other one verifies nothing. */
const TRUSTED_STATUSES: ReadonlySet<unknown> = new Set(['active', 'retired']);

/**
 * When a listed key stops verifying (ms): its `drops_at`; undefined for a key without one (an active key, or a list
 * from a server that does not publish it); -Infinity (never) for a status other than the server's, or a `drops_at`
 * that is not a time: a list that says a key is special must not be read as trusting it for ever.
 */
function dropsAtOf(key: Record<string, unknown>): number | undefined {
  if (key.status !== undefined && !TRUSTED_STATUSES.has(key.status)) return -Infinity;
  if (key.drops_at === undefined) return undefined;
  const at = typeof key.drops_at === 'string' ? Date.parse(key.drops_at) : NaN;
  return Number.isFinite(at) ? at : -Infinity;
}

/**
 * A key resolver over a Vouch server's `/.well-known/vouch-keys.json`: its `capability` keys only, by `kid`. A key
 * verifies while its `status` is `active` or `retired` (or absent) and, when it has a `drops_at`, until then on
 * `options.now` (the server stops verifying with a retired key, and listing it, at that time: a resolver kept past it
 * must not go on trusting the key). The list is untrusted input: entries that are not key objects, or do not parse,
 * are skipped; a `drops_at` that is not a time, or another status, makes the key verify nothing. Throws
 * `INVALID_ARGUMENT` when `now` is not a function, and at a lookup when it gives no time.
 *
 * @example
 * ```ts
 * const resolveKey = capabilityKeysFromVouchKeys(await (await fetch(`${base}/.well-known/vouch-keys.json`)).json());
 * const pinned = capabilityKeysFromVouchKeys(vouchKeys, { now: () => clock.now() });
 * ```
 */
export function capabilityKeysFromVouchKeys(
  doc: { keys?: ReadonlyArray<Record<string, unknown>> },
  options: VouchKeysResolverOptions = {},
): KeyResolver {
  const now = options?.now ?? Date.now;
  if (typeof now !== 'function') {
    throw new VouchError('INVALID_ARGUMENT', 'now must be a function giving milliseconds since the epoch.');
  }
  const keys = ed25519KeysOf(doc, CAPABILITY_KEY_PURPOSE);
  // Every entry goes to keysFromJwks, so a kid listed twice stays ambiguous (unresolved) whatever one entry says.
  const resolve = keysFromJwks({ keys });
  const dropsAt = new Map<string, number>();
  for (const key of keys) {
    const at = dropsAtOf(key);
    if (typeof key.kid === 'string' && at !== undefined) {
      dropsAt.set(key.kid, Math.min(at, dropsAt.get(key.kid) ?? Infinity));
    }
  }
  // A list with no drop time (an older server, or no retired key) costs nothing more per lookup.
  if (dropsAt.size === 0) return resolve;
  return (kid, header) => {
    const at = kid === undefined ? undefined : dropsAt.get(kid);
    if (at !== undefined && (at === -Infinity || nowMsOf(now()) >= at)) return undefined;
    return resolve(kid, header);
  };
}

export interface CheckCapabilityOptions {
  /** The gateway's capability keys (e.g. {@link capabilityKeysFromVouchKeys}). */
  resolveKey: KeyResolver;
  /** Reference time, ms: one value for every time check. */
  now: number;
  /** Allowance for a clock that differs from the gateway's, seconds (default 0: the gateway checks its own). */
  clockSkewSeconds?: number;
  /**
   * The registry document in force (verified), or a function giving it; undefined means none is available. Only
   * consulted for tokens bound to an issuer.
   */
  registry?: RegistryDocument | (() => Promise<RegistryDocument | undefined>);
  /** Whether any of these token ids (the token's own and its ancestors') is revoked. Omitted: not checked. */
  isRevoked?: (jtis: readonly string[]) => Promise<boolean>;
  /** Whether the agent has been revoked where the verifier knows it. Omitted: not checked. */
  isAgentRevoked?: (agentId: string) => Promise<boolean>;
  /**
   * Both revocation answers from one lookup, given the verified claims (a gateway reads them in one query). When
   * given, it replaces `isRevoked` and `isAgentRevoked`. `recorded: false` (the verifier keeps a record of the tokens
   * issued, and this exact token is not in it) denies `TOKEN_UNKNOWN`; omitted, it is not checked.
   */
  revocationStatus?: (
    claims: CapabilityClaims,
  ) => Promise<{ revoked: boolean; agentRevoked: boolean; recorded?: boolean }>;
  /**
   * Good signatures already checked ({@link createSignatureCache}): a token presented again skips its signature
   * check; every other check runs again.
   */
  signatureCache?: SignatureCache;
  crypto?: CryptoProvider;
}

function deny(code: CapabilityDenyCode, reason: string, claims?: CapabilityClaims): CapabilityDecision {
  return claims === undefined ? { decision: 'deny', code, reason } : { decision: 'deny', code, reason, claims };
}

/** The two revocation answers from the separate hooks (each omitted: not checked). */
async function revocationStatusOf(
  options: CheckCapabilityOptions,
  claims: CapabilityClaims,
): Promise<{ revoked: boolean; agentRevoked: boolean; recorded?: boolean }> {
  const [revoked, agentRevoked] = await Promise.all([
    options.isRevoked?.([...claims.par, claims.jti]) ?? false,
    options.isAgentRevoked?.(claims.sub) ?? false,
  ]);
  return { revoked, agentRevoked };
}

/**
 * Decides whether `token` lets `request.agentId` perform `request.action` on `request.resource`, in this order:
 * `MALFORMED_TOKEN` (form, `EdDSA`, `typ`, claims), `INVALID_SIGNATURE` (unknown `kid` or bad signature),
 * `TOKEN_LIFETIME_EXCEEDED` (`exp - iat` beyond its tier's maximum: no gateway issues that), `TOKEN_EXPIRED`,
 * `SUBJECT_MISMATCH`, `RESOURCE_MISMATCH` (the token's pattern must cover the resource), `ACTION_MISMATCH`, then —
 * looked up together — `TOKEN_UNKNOWN` (only with a `revocationStatus` that knows the gateway's record),
 * `TOKEN_REVOKED` (the token or any ancestor in `par`), `AGENT_REVOKED`, and for a token bound to an issuer:
 * `REGISTRY_UNAVAILABLE`, `UNKNOWN_ISSUER`, `ISSUER_REVOKED`, `ISSUER_KEY_ROTATED` (the issuer's current key is not
 * the one `ikt` recorded; or it is, but the issuer was removed, or that key rotated away, after `iat`: removal and
 * rotation are not undone for earlier tokens by a re-admission or a rotation back). Never throws for a bad token;
 * errors of the hooks (e.g. a database outage) propagate. An offline verifier cannot know which tokens the gateway
 * recorded: a token signed by a leaked capability key passes here unless `resolveKey` no longer gives that key.
 *
 * @example
 * ```ts
 * const d = await checkCapability(token, request, { resolveKey, now: Date.now(), registry: doc });
 * if (d.decision === 'deny') console.log(d.code);
 * ```
 */
export async function checkCapability(
  token: unknown,
  request: CapabilityRequest,
  options: CheckCapabilityOptions,
): Promise<CapabilityDecision> {
  // A missing request or options, or a cache that createSignatureCache did not make, is a caller's error, thrown
  // whatever the token.
  if (typeof request !== 'object' || request === null) {
    throw new VouchError('INVALID_ARGUMENT', 'checkCapability needs a request with agentId, resource and action.');
  }
  if (typeof options !== 'object' || options === null) {
    throw new VouchError('INVALID_ARGUMENT', 'checkCapability needs options with resolveKey and now.');
  }
  const cache = signatureCacheInternal(options.signatureCache);
  let claims: CapabilityClaims;
  let parsed: ParsedJws & { strict?: true };
  try {
    parsed = decodeForCheck(token);
    claims = parseCapabilityClaims(parsed.payload);
  } catch (err) {
    return deny('MALFORMED_TOKEN', (err as Error).message);
  }
  // A copy: the header of a known token is the one kept for the fast path, so a resolver that edited the object it
  // was given would change the header of every later token with that header text. Null (a resolver over a
  // database) is no key, as undefined is.
  const key = (await options.resolveKey(parsed.jws.header.kid, { ...parsed.jws.header })) ?? undefined;
  if (key === undefined || !(await ed25519Verifies(parsed.jws, key, options.crypto, cache, token as string))) {
    // The fast path read the payload leniently (JSON.parse): what the strict path refuses is MALFORMED_TOKEN there
    // too, so a token's code does not depend on whether its header was seen before.
    if (parsed.strict !== true) {
      try {
        parseCapabilityClaims(parseEd25519Jws(token, CAPABILITY_TYP, 'JWT_MALFORMED', 'capability token').payload);
      } catch (err) {
        return deny('MALFORMED_TOKEN', (err as Error).message);
      }
    }
    return deny('INVALID_SIGNATURE', "The token is not signed by one of the gateway's capability keys.");
  }
  if (parsed.strict === true) learnHeader(token as string, parsed.jws.header);
  const skew = secondsOption(options.clockSkewSeconds, 0, 'clockSkewSeconds');
  // Both times are the gateway's own stamps, so a clock difference cannot stretch a lifetime; the skew is allowed
  // anyway, as everywhere else a verifier compares times. A longer token was signed by a leaked key, not a gateway.
  if (claims.exp - claims.iat > CAPABILITY_TIER_MAX_SECONDS[claims.tier] + skew) {
    return deny('TOKEN_LIFETIME_EXCEEDED', `The token lives longer than its tier (${claims.tier}) allows.`, claims);
  }
  const now = nowSecondsOf(options.now);
  if (now - skew >= claims.exp) return deny('TOKEN_EXPIRED', 'The token has expired.', claims);
  if (claims.sub !== request.agentId) return deny('SUBJECT_MISMATCH', 'The token was issued to another agent.', claims);
  if (!resourceCovers(claims.res, request.resource)) {
    return deny('RESOURCE_MISMATCH', 'The token does not cover this resource.', claims);
  }
  if (!actionCovers(claims.act, request.action)) {
    return deny('ACTION_MISMATCH', 'The token does not allow this action.', claims);
  }
  const registry = options.registry;
  const [{ revoked, agentRevoked, recorded }, doc] = await Promise.all([
    options.revocationStatus?.(claims) ?? revocationStatusOf(options, claims),
    claims.iid === null ? undefined : typeof registry === 'function' ? registry() : registry,
  ]);
  if (recorded === false) {
    return deny('TOKEN_UNKNOWN', 'The gateway never issued this token (no record of it with these claims).', claims);
  }
  if (revoked) return deny('TOKEN_REVOKED', 'The token, or a token it was delegated from, has been revoked.', claims);
  if (agentRevoked) return deny('AGENT_REVOKED', 'The agent has been revoked.', claims);
  if (claims.iid !== null) {
    if (doc === undefined) {
      return deny('REGISTRY_UNAVAILABLE', 'No trust registry is available to check the token issuer.', claims);
    }
    const found = checkIssuer(doc, claims.iid);
    if (found.status === 'unknown') {
      return deny('UNKNOWN_ISSUER', `Issuer ${claims.iid} is not in the trust registry.`, claims);
    }
    if (found.status === 'revoked') {
      return deny('ISSUER_REVOKED', `Issuer ${claims.iid} has been removed from the trust registry.`, claims);
    }
    if ((await issuerKeyThumbprint(found.issuer)) !== claims.ikt) {
      return deny('ISSUER_KEY_ROTATED', `Issuer ${claims.iid} has rotated its key since the token was issued.`, claims);
    }
    // The same key again is not enough: removed (or rotated away) after the token was issued, the issuer's tokens
    // stay denied when governance re-admits it (or rotates back to that key).
    const lapse = issuerKeyLapse(doc, found.issuer);
    if (lapse !== undefined && claims.iat * 1000 <= lapse.at) {
      return lapse.removed
        ? deny(
            'ISSUER_REVOKED',
            `Issuer ${claims.iid} was removed from the trust registry after the token was issued.`,
            claims,
          )
        : deny('ISSUER_KEY_ROTATED', `Issuer ${claims.iid} has rotated its key since the token was issued.`, claims);
    }
  }
  return { decision: 'allow', claims };
}
