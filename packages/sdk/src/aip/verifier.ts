import { VouchError, isVouchError } from '../errors.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import { createWebCryptoProvider } from '../crypto/webcrypto.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import type { Jwks, KeyResolver } from '../jwt/keys.ts';
import { functionOption } from '../lib/function-option.ts';
import { optionsObject } from '../lib/options-object.ts';
import { cryptoOption } from '../lib/crypto-option.ts';
import { withoutTrailing } from '../lib/trim.ts';
import { getJson, objectOf } from './fetch-json.ts';
import type { FetchLike } from './fetch-json.ts';
import { aipKeysFromJwks } from './jwks.ts';
import type { AipKeySet } from './jwks.ts';
import { RevocationSet } from './revocations.ts';
import { verifyAipToken } from './verify-token.ts';
import { createSignatureCache, signatureCacheInternal } from '../jwt/signature-cache.ts';
import type { SignatureCache } from '../jwt/signature-cache.ts';
import { AIP_DISCOVERY_PATH, AIP_PROTOCOL } from './types.ts';
import type { AipCheckResult, AipTokenType, VerifiedAipToken } from './types.ts';

/** Remembers consumed session nonces, so that a second presentation of one fails with `NONCE_REPLAYED`. */
export interface AipNonceStore {
  /**
   * Records `nonce` for `audience` until `expiresAt` (ms): the token's `exp` plus the verifier's clock skew, the last
   * moment the token can still pass. False if it was already recorded.
   */
  consume(audience: string, nonce: string, expiresAt: number): boolean | Promise<boolean>;
}

export interface AipVerifierOptions {
  /**
   * The issuer's URL: the only accepted `iss`, and (unless `jwks` is given) where the discovery document
   * (`/.well-known/agent-registry.json`) names the JWKS and the revocation list.
   */
  issuer?: string;
  /** Static keys: no key fetching. Without `issuer`, the keys alone pin the issuer. */
  jwks?: Jwks;
  /** The revocation list URL; by default the discovery document's `revocations_endpoint`. */
  revocationsUrl?: string;
  /**
   * `false` turns the revocation check off — an explicit choice: a verifier that cannot find a revocation list
   * refuses to be created rather than silently skipping the check.
   */
  revocations?: boolean;
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
  /** Default: `node:crypto` on Node, WebCrypto elsewhere (browsers, Deno, workers). */
  crypto?: CryptoProvider;
  /** Clock skew allowance in seconds (default 60), as on the server. */
  clockSkewSeconds?: number;
  /**
   * Keys are re-fetched when older than this (default 10 min) or of unknown age (fetched by a clock later than now:
   * one set back since); a failed refresh keeps the old keys and is tried again
   * after `keysMinRefreshIntervalMs` (a failed first fetch too: verification fails with `AIP_FETCH_FAILED` meanwhile).
   */
  keysMaxAgeMs?: number;
  /** An unknown `kid` triggers a re-fetch at most this often (default 30 s), so junk tokens cannot flood the issuer. */
  keysMinRefreshIntervalMs?: number;
  /**
   * The revocation list is synced before a verification when older than this (default 30 s), or of unknown age
   * (synced by a clock later than now: one set back since).
   */
  revocationsMaxAgeMs?: number;
  /** When a sync fails, verification goes on with the last list only while it is younger than this (default 5 min). */
  revocationsMaxStaleMs?: number;
  /**
   * A failed sync (the discovery document's lookup of the list included) is tried again no sooner than this (default
   * 5 s), so that an issuer in trouble is not asked, and waited for, on every verification; meanwhile the staleness
   * rule decides from the last list.
   */
  revocationsRetryIntervalMs?: number;
  /** Per-request timeout in ms (default 5 s); a longer one than a timer holds (2^31 - 1 ms) waits that long. */
  requestTimeoutMs?: number;
  /** When given, a session token's nonce is consumed on each successful verification. */
  nonceStore?: AipNonceStore;
  /**
   * Good signatures already checked, so that a token presented again skips its signature check (every other check,
   * revocation included, runs each time). Default: a new `createSignatureCache()` (4,096 tokens); `false` for none.
   */
  signatureCache?: SignatureCache | false;
}

export interface AipVerifyOptions {
  /** The token must be a session token for exactly this audience. */
  audience?: string;
  /** The token's nonce must equal this. */
  nonce?: string;
  /** The token must be of this type. */
  tokenType?: AipTokenType;
}

/** An offline verifier bound to one issuer; see {@link createAipVerifier}. */
export interface AipVerifier {
  /** Verifies a token; throws a `VouchError` whose `code` says why it is not valid. */
  verify(token: string, options?: AipVerifyOptions): Promise<VerifiedAipToken>;
  /** Verifies a token and answers in the server's shape, `{valid: true, claims}` or `{valid: false, error, code}`. */
  check(token: string, options?: AipVerifyOptions): Promise<AipCheckResult>;
  /** Fetches the keys now. */
  refreshKeys(): Promise<void>;
  /**
   * Brings the revocation list up to date now. A list with more new entries than one sync reads (1,000 pages) throws
   * `AIP_FETCH_FAILED` with what it read kept: call again to continue from where it stopped.
   */
  syncRevocations(): Promise<void>;
  /** Whether the local revocation list holds `jti`. */
  isRevoked(jti: string): boolean;
}

interface Discovery {
  jwksUri: string;
  revocationsEndpoint: string;
}

function defaultCrypto(): CryptoProvider {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  return isNode ? getDefaultCrypto() : createWebCryptoProvider();
}

function sameOrigin(url: unknown, base: string, what: string): string {
  if (typeof url !== 'string') throw new VouchError('AIP_RESPONSE_INVALID', `The discovery document has no ${what}.`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VouchError('AIP_RESPONSE_INVALID', `The discovery document's ${what} is not a URL.`);
  }
  if (parsed.origin !== new URL(base).origin) {
    throw new VouchError('AIP_RESPONSE_INVALID', `The discovery document's ${what} is on another origin.`);
  }
  return parsed.toString();
}

function isAbsoluteUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new VouchError('INVALID_ARGUMENT', `${name} must be a non-negative number.`);
  }
  return value;
}

/**
 * Creates an offline verifier for one issuer's agent tokens. It applies the server's checks
 * ({@link verifyAipToken}) without a round trip per token:
 * - keys come from the issuer's JWKS (or a static `jwks`), cached; a token with an unknown `kid` triggers a
 *   re-fetch, at most once per `keysMinRefreshIntervalMs`, and is refused with `JWT_KID_UNKNOWN` if still unknown;
 *   keys older than `keysMaxAgeMs` are re-fetched, and a refresh that fails keeps them and is tried again only after
 *   `keysMinRefreshIntervalMs` (a first fetch that fails too, refusing meanwhile with `AIP_FETCH_FAILED`);
 * - the revocation list is kept in sync through its cursor before a verification whenever it is older than
 *   `revocationsMaxAgeMs`; it is up to date only once a sync has read to a page saying `has_more: false` (a sync
 *   stops after 1,000 pages and the next continues from the cursor); if it cannot be brought up to date and is older
 *   than `revocationsMaxStaleMs` (or was never complete), verification fails with `AIP_FETCH_FAILED` (never silently
 *   without the revocation check); a failed sync is tried again only after `revocationsRetryIntervalMs`;
 * - the issuer's documents are fetched without following redirects, and read up to 4 MiB each;
 * - with a `nonceStore`, session nonces are consumed (`NONCE_REPLAYED` the second time);
 * - a token presented again skips its signature check (`signatureCache`); every other check runs again.
 * Agent revocation reaches it as the revocation of the agent's tokens. No node:* import: it runs in browsers
 * (WebCrypto) as in Node (`node:crypto`).
 *
 * @example
 * ```ts
 * const verifier = createAipVerifier({ issuer: 'https://vouch.example' });
 * const result = await verifier.check(token, { audience: 'my-shop' }); // { valid: true, claims } or { valid: false, ... }
 * ```
 */
export function createAipVerifier(given: AipVerifierOptions): AipVerifier {
  // Required: a missing one (a JavaScript caller, settings read from JSON) is named, not a raw TypeError.
  if (typeof given !== 'object' || given === null) {
    throw new VouchError('INVALID_ARGUMENT', 'createAipVerifier needs options with the issuer URL or a JWKS.');
  }
  // A member set to null (settings read from JSON) is an absent one: a null jwks would pin no keys at all, a null
  // revocationsUrl be fetched as "null", a null nonceStore throw at the first nonce.
  const options: AipVerifierOptions = {
    ...given,
    jwks: given.jwks ?? undefined,
    revocationsUrl: given.revocationsUrl ?? undefined,
    nonceStore: given.nonceStore ?? undefined,
  };
  if (options.issuer !== undefined && options.issuer !== null && typeof options.issuer !== 'string') {
    throw new VouchError('INVALID_ARGUMENT', 'issuer must be an absolute URL.');
  }
  const issuer =
    options.issuer === undefined || options.issuer === null ? undefined : withoutTrailing(options.issuer, '/');
  if (issuer !== undefined) {
    try {
      new URL(issuer);
    } catch {
      throw new VouchError('INVALID_ARGUMENT', 'issuer must be an absolute URL.');
    }
  }
  // The list's later pages are asked for by adding `since` to this URL (new URL): one that is not absolute would fail
  // only then, as a raw TypeError out of syncRevocations, after a first page fetched by a lenient fetch.
  if (options.revocationsUrl !== undefined && !isAbsoluteUrl(options.revocationsUrl)) {
    throw new VouchError('INVALID_ARGUMENT', 'revocationsUrl must be an absolute URL.');
  }
  // Used only at the first session token with a nonce: one of the wrong shape would throw a raw TypeError there.
  const store: unknown = options.nonceStore;
  if (store !== undefined && (typeof store !== 'object' || typeof (store as AipNonceStore).consume !== 'function')) {
    throw new VouchError('INVALID_ARGUMENT', 'nonceStore must be an object with a consume function.');
  }
  if (issuer === undefined && options.jwks === undefined) {
    throw new VouchError('INVALID_ARGUMENT', 'Give the issuer URL or a JWKS.');
  }
  if (options.revocations !== false && options.revocationsUrl === undefined && issuer === undefined) {
    throw new VouchError(
      'INVALID_ARGUMENT',
      'Without an issuer URL, give revocationsUrl, or turn the revocation check off with revocations: false.',
    );
  }
  const fetchImpl = functionOption<FetchLike>(options.fetch, (url, init) => globalThis.fetch(url, init), 'fetch');
  const now = functionOption(options.now, () => Date.now(), 'now');
  const crypto = cryptoOption(options.crypto, defaultCrypto);
  const skewSeconds = positive(options.clockSkewSeconds, 60, 'clockSkewSeconds');
  const keysMaxAgeMs = positive(options.keysMaxAgeMs, 600_000, 'keysMaxAgeMs');
  const keysMinRefreshMs = positive(options.keysMinRefreshIntervalMs, 30_000, 'keysMinRefreshIntervalMs');
  const revocationsMaxAgeMs = positive(options.revocationsMaxAgeMs, 30_000, 'revocationsMaxAgeMs');
  const revocationsMaxStaleMs = positive(options.revocationsMaxStaleMs, 300_000, 'revocationsMaxStaleMs');
  const revocationsRetryMs = positive(options.revocationsRetryIntervalMs, 5_000, 'revocationsRetryIntervalMs');
  const timeoutMs = positive(options.requestTimeoutMs, 5000, 'requestTimeoutMs');
  const signatureCache =
    options.signatureCache === false
      ? undefined
      : (signatureCacheInternal(options.signatureCache) ?? createSignatureCache());

  let discovery: Promise<Discovery> | undefined;
  function discover(): Promise<Discovery> {
    discovery ??= (async () => {
      const url = `${issuer}${AIP_DISCOVERY_PATH}`;
      const doc = objectOf((await getJson(fetchImpl, url, timeoutMs)).body, 'discovery document');
      if (doc.protocol !== AIP_PROTOCOL) {
        throw new VouchError('AIP_RESPONSE_INVALID', `The discovery document is not ${AIP_PROTOCOL}.`);
      }
      if (doc.issuer !== issuer) {
        throw new VouchError('AIP_RESPONSE_INVALID', 'The discovery document names another issuer.');
      }
      return {
        jwksUri: sameOrigin(doc.jwks_uri, issuer!, 'jwks_uri'),
        revocationsEndpoint: sameOrigin(doc.revocations_endpoint, issuer!, 'revocations_endpoint'),
      };
    })();
    // A failed discovery is retried next time rather than cached.
    discovery.catch(() => (discovery = undefined));
    return discovery;
  }

  // ---- keys
  let keys: AipKeySet | undefined = options.jwks === undefined ? undefined : aipKeysFromJwks(options.jwks);
  let keysFetchedAt = -Infinity;
  let keysAttemptedAt = -Infinity;
  /** Whether the last fetch of the keys failed (the old keys, if any, are still in use). */
  let keysFetchFailed = false;
  /** Why the last fetch failed, for the refusals made without asking again. */
  let keysFetchError: unknown;
  let keysInFlight: Promise<void> | undefined;

  function fetchKeys(): Promise<void> {
    keysInFlight ??= (async () => {
      keysAttemptedAt = now();
      keysFetchFailed = true; // until it succeeds
      const { jwksUri } = await discover();
      const body = objectOf((await getJson(fetchImpl, jwksUri, timeoutMs)).body, 'JWKS');
      if (!Array.isArray(body.keys)) throw new VouchError('AIP_RESPONSE_INVALID', 'The JWKS has no "keys" array.');
      keys = aipKeysFromJwks(body as unknown as Jwks);
      keysFetchedAt = now();
      keysFetchFailed = false;
    })()
      .catch((err: unknown) => {
        keysFetchError = err;
        throw err;
      })
      .finally(() => (keysInFlight = undefined));
    return keysInFlight;
  }

  /**
   * Milliseconds from `then` to `at`; Infinity when `then` is later (a clock set back since: an NTP step, a resumed
   * VM), whose age is unknown and counts as long past, or keys fetched then would pass for fresh, and a failed fetch
   * hold back the next, until the clock caught up.
   */
  function since(then: number, at: number): number {
    return at >= then ? at - then : Infinity;
  }

  // undefined when the keys are usable as they are (the common case: no promise, no extra microtask).
  function ensureKeys(): Promise<void> | undefined {
    if (options.jwks !== undefined) return undefined;
    const at = now();
    // A fetch that failed is tried again only after keysMinRefreshMs, so that an issuer in trouble is not asked, and
    // waited for, on every verification (of any token, junk included): meanwhile the old keys serve, and without
    // any the verification is refused at once.
    const holdBack = keysInFlight === undefined && keysFetchFailed && since(keysAttemptedAt, at) < keysMinRefreshMs;
    if (keys === undefined) {
      if (!holdBack) return fetchKeys();
      return Promise.reject(
        new VouchError('AIP_FETCH_FAILED', "The issuer's keys could not be fetched.", { cause: keysFetchError }),
      );
    }
    if (since(keysFetchedAt, at) < keysMaxAgeMs || holdBack) return undefined;
    return fetchKeys().catch(() => undefined);
  }

  async function refetchAndResolve(kid: string | undefined, header: Parameters<KeyResolver>[1]) {
    await fetchKeys();
    return keys?.resolveKey(kid, header);
  }

  // Synchronous when the key is known: aipKeysFromJwks answers from a map.
  const resolveKey: KeyResolver = (kid, header) => {
    const found = keys?.resolveKey(kid, header);
    if (found !== undefined || options.jwks !== undefined) return found;
    if (since(keysAttemptedAt, now()) < keysMinRefreshMs) return undefined;
    return refetchAndResolve(kid, header);
  };

  // ---- revocations
  const checkRevocations = options.revocations !== false;
  let revocations: RevocationSet | undefined;
  /** The last sync that failed, while no sync has succeeded since (see revocationsRetryIntervalMs). */
  let lastSyncFailure: { at: number; err: unknown } | undefined;
  async function revocationSet(): Promise<RevocationSet> {
    if (revocations === undefined) {
      const url = options.revocationsUrl ?? (await discover()).revocationsEndpoint;
      revocations ??= new RevocationSet(url, fetchImpl, timeoutMs);
    }
    return revocations;
  }
  /**
   * How long before `at` the list was last synced (Infinity before any complete sync). A sync later than `at` is
   * either one made while this verification was under way (the clock read now is past it) or one by a clock since
   * set back (an NTP step, a resumed VM): then the list's age is unknown and counts as too old, or the list would
   * pass for fresh, and stop being synced, until the clock caught up with the last sync.
   */
  function listAge(set: RevocationSet, at: number): number {
    if (set.syncedAt === undefined) return Infinity;
    const age = (at >= set.syncedAt ? at : now()) - set.syncedAt;
    return age >= 0 ? age : Infinity;
  }
  /** Whether the last failure was less than revocationsRetryIntervalMs before `at` (not after it: a clock set back). */
  function waitingAfterFailure(at: number): boolean {
    const sinceFailure = lastSyncFailure === undefined ? Infinity : at - lastSyncFailure.at;
    return sinceFailure >= 0 && sinceFailure < revocationsRetryMs;
  }
  function cannotLocate(err: unknown): VouchError {
    return new VouchError('AIP_FETCH_FAILED', 'The revocation list cannot be located.', { cause: err });
  }
  async function freshRevocations(at: number): Promise<RevocationSet> {
    // Locating the list (in the discovery document, without revocationsUrl) is part of its first sync, and waits
    // after a failure as a sync does: an issuer in trouble is not asked, and waited for, on every verification.
    if (revocations === undefined && waitingAfterFailure(at)) throw cannotLocate(lastSyncFailure!.err);
    const set = await revocationSet().catch((err: unknown) => {
      lastSyncFailure = { at, err };
      throw cannotLocate(err);
    });
    if (listAge(set, at) < revocationsMaxAgeMs) return set;
    const failed = lastSyncFailure;
    if (waitingAfterFailure(at)) return staleOrRefuse(set, at, failed!.err);
    const cursor = set.cursor;
    try {
      await set.sync(at, skewSeconds * 1000);
      lastSyncFailure = undefined;
    } catch (err) {
      // A sync that stopped after reading new pages (a list longer than one sync reads) made progress: the next
      // verification goes on from its cursor at once. Only an issuer that gave nothing new is left alone a while.
      lastSyncFailure = set.cursor === cursor ? { at, err } : undefined;
      return staleOrRefuse(set, at, err);
    }
    return set;
  }
  /** After a failed sync: the last list while it is young enough, else a refusal naming the failure. */
  function staleOrRefuse(set: RevocationSet, at: number, err: unknown): RevocationSet {
    if (listAge(set, at) > revocationsMaxStaleMs) {
      throw new VouchError('AIP_FETCH_FAILED', 'The revocation list could not be brought up to date.', { cause: err });
    }
    return set;
  }

  /**
   * Whether the list holds `jti`. A sync drops an entry once its token can no longer pass by that sync's clock; one
   * made while this verification was under way (for another token, or syncRevocations), or by a clock later than
   * `at`, may have dropped this token's: then the entry's absence proves nothing, and the token, expired by the clock
   * that dropped it, is refused as expired rather than answered valid.
   */
  function revokedIn(set: RevocationSet, jti: string, expiresAt: number): boolean {
    if (set.has(jti)) return true;
    if (expiresAt <= set.prunedThrough) throw new VouchError('JWT_EXPIRED', 'The token has expired.');
    return false;
  }

  // A list synced less than revocationsMaxAgeMs ago answers at once; otherwise sync first (freshRevocations).
  function isRevokedAt(at: number, jti: string, expiresAt: number): boolean | Promise<boolean> {
    const set = revocations;
    if (set !== undefined && listAge(set, at) < revocationsMaxAgeMs) return revokedIn(set, jti, expiresAt);
    return freshRevocations(at).then((s) => revokedIn(s, jti, expiresAt));
  }

  const revocationCheck = checkRevocations ? isRevokedAt : undefined;

  function verifyAt(at: number, token: string, opts: AipVerifyOptions): Promise<VerifiedAipToken> {
    const verified = verifyAipToken(token, {
      resolveKey,
      issuer,
      now: at,
      clockSkewSeconds: skewSeconds,
      audience: opts.audience,
      nonce: opts.nonce,
      tokenType: opts.tokenType,
      crypto,
      signatureCache,
      isRevoked: revocationCheck === undefined ? undefined : (jti, expiresAt) => revocationCheck(at, jti, expiresAt),
    });
    const store = options.nonceStore;
    if (store === undefined) return verified;
    return verified.then(async (v) => {
      if (
        v.nonce !== undefined &&
        v.audience !== undefined &&
        // The token passes until exp + skew: forgetting its nonce at exp would let it be presented again meanwhile.
        !(await store.consume(v.audience, v.nonce, v.expiresAt + skewSeconds * 1000))
      ) {
        throw new VouchError('NONCE_REPLAYED', 'This nonce has already been presented.');
      }
      return v;
    });
  }

  // Not `async`: with the keys at hand the caller's promise is verifyAipToken's own (no extra turns per token).
  function verify(token: string, given?: AipVerifyOptions): Promise<VerifiedAipToken> {
    try {
      const opts: AipVerifyOptions = optionsObject(given, 'verify'); // null: no per-call requirement, as when absent
      const at = now();
      const keysReady = ensureKeys();
      if (keysReady !== undefined) return keysReady.then(() => verifyAt(at, token, opts));
      return verifyAt(at, token, opts);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  return {
    verify,
    async check(token, opts) {
      try {
        return { valid: true, claims: (await verify(token, opts)).claims };
      } catch (err) {
        if (!isVouchError<string>(err)) throw err;
        return { valid: false, error: err.message, code: err.code };
      }
    },
    refreshKeys: () => (options.jwks === undefined ? fetchKeys() : Promise.resolve()),
    async syncRevocations() {
      if (!checkRevocations) return;
      await (await revocationSet()).sync(now(), skewSeconds * 1000);
      lastSyncFailure = undefined;
    },
    isRevoked: (jti) => revocations?.has(jti) ?? false,
  };
}

/**
 * A nonce store in memory, for a single verifier process (a browser tab, one service instance). Expired entries are
 * forgotten as new ones arrive.
 *
 * @example
 * ```ts
 * const verifier = createAipVerifier({ issuer, nonceStore: createMemoryNonceStore() });
 * ```
 */
export function createMemoryNonceStore(clock?: () => number): AipNonceStore {
  // null: the default clock, as when absent; a non-function is refused now rather than at the first nonce.
  const now = functionOption(clock, () => Date.now(), 'now');
  const seen = new Map<string, number>();
  // Expired entries are swept when the map outgrows twice what the last sweep left: amortized O(1) per nonce, where
  // sweeping at a fixed size scanned every live nonce on every call once that many were live.
  let sweepAt = 1024;
  return {
    consume(audience, nonce, expiresAt) {
      const t = now();
      if (seen.size >= sweepAt) {
        for (const [k, exp] of seen) if (exp < t) seen.delete(k);
        sweepAt = Math.max(1024, 2 * seen.size);
      }
      const key = JSON.stringify([audience, nonce]);
      const exp = seen.get(key);
      if (exp !== undefined && exp >= t) return false;
      // expiresAt already includes the verifier's skew; the ten-minute margin is for callers that pass a bare exp.
      seen.set(key, expiresAt + 600_000);
      return true;
    },
  };
}
