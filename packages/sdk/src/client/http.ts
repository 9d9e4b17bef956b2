// The client's one HTTP path: credentials, per-attempt timeout, retries with exponential backoff and full jitter
// for idempotent calls only, and server errors turned into VouchApiError with the server's code.
import { isVouchError, VouchError } from '../errors.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import type { JsonValue } from '../json/types.ts';
import { finiteJsonText } from '../json/finite-text.ts';
import { parseStrict } from '../json/parse-strict.ts';
import type { PrivateKey } from '../keys/key.ts';
import { VouchApiError, errorFromResponse } from './errors.ts';
import { abortableSleep, defaultCrypto } from './runtime.ts';
import { discardBody, readBodyText } from '../lib/read-body.ts';
import type { ReadableResponse } from '../lib/read-body.ts';
import { signRequestHeaders } from './signed-request.ts';
import { timerDelay } from '../lib/timer.ts';
import { functionOption } from '../lib/function-option.ts';
import { cryptoOption } from '../lib/crypto-option.ts';
import { checkSignal } from '../lib/signal-option.ts';
import { trimHttpWhitespace, withoutTrailing } from '../lib/trim.ts';

/**
 * The subset of WHATWG `fetch` the client uses; pass your own to run behind a proxy or in tests. The client always
 * asks for `redirect: 'manual'` and refuses any redirect (`UNEXPECTED_REDIRECT`); an implementation that follows
 * redirects itself would defeat that. A response with a `body` stream is read with the `maxResponseBytes` cap as it
 * arrives; one with only `text()` is read whole and then measured.
 */
export type HttpFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal; redirect: 'manual' },
) => Promise<ReadableResponse & { status: number; type?: string }>;

/**
 * Which credential authenticates a call: the admin key (`x-api-key`), an owner API key, an integrator API key or an
 * agent's management token (each `Authorization: Bearer`), or the agent's own key (signed request headers).
 */
export type CredentialKind = 'admin' | 'owner' | 'integrator' | 'management' | 'agent';

/** An agent's identity for signed requests: its DID and Ed25519 private key. */
export interface AgentCredential {
  did: string;
  privateKey: PrivateKey;
}

export interface Credentials {
  adminKey?: string;
  ownerKey?: string;
  integratorKey?: string;
  managementToken?: string;
  agent?: AgentCredential;
}

export interface RetryOptions {
  /** Retries after the first attempt (default 2). 0 turns retrying off. */
  retries?: number;
  /** Backoff base: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs·2ⁿ)] (default 200 ms). */
  baseDelayMs?: number;
  /** Backoff cap (default 5 s). */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the call fails with the server's code (default 30 s). */
  maxRetryAfterMs?: number;
}

/** One endpoint: its method, path template (`:name` segments), accepted credentials and whether it is idempotent. */
export interface Route {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** Credentials the route accepts, in the order the client prefers them; empty for public routes. */
  readonly auth: readonly CredentialKind[];
  /** POSTs that may safely be sent twice (same effect); GET and HEAD always are. */
  readonly idempotent?: boolean;
  /**
   * The route answers text (Prometheus metrics, Markdown), handed back as a string. Every other route answers JSON,
   * and a 2xx whose body is not JSON (unlabelled, empty) is `RESPONSE_INVALID`.
   */
  readonly text?: boolean;
}

/** Per-call options every client method takes last. */
export interface CallOptions {
  /** Use this credential (it must be configured), or `none` to send none; default: the first configured one. */
  as?: CredentialKind | 'none';
  /** Cancels the call, retries included. */
  signal?: AbortSignal;
  /**
   * Timeout of each attempt in ms (default: the client's, 10 s); one longer than a timer holds (2^31 - 1 ms) waits
   * that.
   */
  timeoutMs?: number;
  /** Overrides the client's retry count for this call (idempotent calls only ever retry). */
  retries?: number;
  /**
   * Reads a success body labelled JSON with `parseStrict` (a repeated member, a non-finite number, nesting past 64
   * refused: `RESPONSE_INVALID`) rather than `JSON.parse`, as the verifiers read documents.
   */
  strictJson?: boolean;
}

export interface HttpOptions {
  /** The server's base URL, e.g. `https://vouch.example` (a path prefix is kept). */
  baseUrl: string;
  credentials?: Credentials;
  fetch?: HttpFetch;
  /** Timeout of each attempt in ms (default 10 s); a longer one than a timer holds (2^31 - 1 ms) waits that long. */
  timeoutMs?: number;
  retry?: RetryOptions;
  crypto?: CryptoProvider;
  /**
   * Clock for signed requests and `Retry-After` dates (ms since the epoch); default `Date.now`. An agent-signed request
   * needs a whole number from it (else `INVALID_ARGUMENT`).
   */
  now?: () => number;
  /** How the client waits between retries (tests pass a recorder). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Random source in [0, 1) for the jitter. */
  random?: () => number;
  /**
   * Largest response body read, in bytes (a whole number up to 2^53 - 1; default 16 MiB, far above any Vouch answer);
   * a larger one fails with `RESPONSE_TOO_LARGE` without being read further. Error bodies are read up to 64 KiB only.
   */
  maxResponseBytes?: number;
}

export interface HttpRequest {
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  body?: JsonValue;
  /** Non-2xx statuses whose body is an answer, not an error (e.g. 401 `{valid: false}` from token verify). */
  accept?: readonly number[];
  /** `false` sends this call once although its route is idempotent (a verify that may consume a nonce). */
  idempotent?: false;
  /**
   * The `X-Vouch-Signed-At` of an agent-signed call, when the body carries a statement naming it (a key rotation);
   * default: the client's clock when the request is signed.
   */
  signedAt?: number;
}

export interface HttpResponse<T> {
  status: number;
  body: T;
  headers: { get(name: string): string | null };
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const MAX_ERROR_BODY = 64 * 1024;
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new VouchError('INVALID_ARGUMENT', `${name} must be a non-negative number.`);
  }
  return value;
}

/** A retry count: a whole number from 0 (`1.5` would act as 2). */
function retryCount(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new VouchError('INVALID_ARGUMENT', `${name} must be a whole number from 0.`);
  }
  return value;
}

/** A byte count: a whole number from 0, as the body reader takes (`1.5` or `2 ** 60` would fail every call). */
function byteCount(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new VouchError('INVALID_ARGUMENT', `${name} must be a whole number of bytes, 0 or more.`);
  }
  return value;
}

/** A timeout: above 0, since 0 would time every attempt out once sent (and many clients read it as "none"). */
function timeout(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new VouchError('INVALID_ARGUMENT', `${name} must be a number of milliseconds above 0.`);
  }
  return value;
}

/**
 * A credential (or an agent's DID) as a header value, or `INVALID_ARGUMENT` naming its kind (never the value) when
 * it is not a string or fetch would refuse it: a control character other than tab inside it (NUL, CR, LF, DEL, ...:
 * not an RFC 9110 field-value, which Node's fetch refuses), or a character above U+00FF. fetch's own TypeError quotes
 * the value in its message, which would carry the secret into the error's `cause` and every log line that prints it,
 * and reads as NETWORK_ERROR, retried. Leading and trailing whitespace (a key file's last newline) is left for fetch to
 * trim.
 */
function headerValue(kind: CredentialKind, value: string): string {
  // Not a string (a number, a config object read from JSON): it would go out as "42" or "[object Object]", a 401.
  if (typeof value !== 'string') {
    throw new VouchError('INVALID_ARGUMENT', `The ${kind} credential must be a string.`);
  }
  const inner = trimHttpWhitespace(value);
  if (/[^\t\x20-\x7e\x80-\xff]/.test(inner)) {
    throw new VouchError(
      'INVALID_ARGUMENT',
      `The ${kind} credential cannot be sent as an HTTP header (a control or non-Latin-1 character inside it).`,
    );
  }
  return value;
}

/**
 * The `X-Vouch-Signed-At` of an agent-signed request: whole milliseconds since the epoch, else `INVALID_ARGUMENT`
 * before anything is signed. 1.5, NaN or 1e21 (a caller's signedAt, a clock built on performance.now()) would go out
 * as `1.5`, `NaN`, `1e+21`: a request the server can only refuse as unsigned (401), naming no input.
 */
function signedTime(at: number): number {
  if (!Number.isSafeInteger(at) || at < 0) {
    throw new VouchError(
      'INVALID_ARGUMENT',
      "An agent-signed request's signed-at time must be whole milliseconds since the epoch (signedAt, or the clock).",
    );
  }
  return at;
}

/** Builds the path from its template; each value is one percent-encoded segment. */
export function expandPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const v = params[name];
    if (typeof v !== 'string' || v.length === 0) {
      throw new VouchError('INVALID_ARGUMENT', `The path parameter "${name}" must be a non-empty string.`);
    }
    // encodeURIComponent leaves "." and "..", and URL parsing (which also decodes %2E) would resolve them as path
    // steps: `issuer('..')` would ask GET /v1/registry/, another route, with this client's credentials.
    if (v === '.' || v === '..') {
      throw new VouchError('INVALID_ARGUMENT', `The path parameter "${name}" cannot be "${v}".`);
    }
    try {
      return encodeURIComponent(v);
    } catch {
      // URIError: a lone surrogate, which no UTF-8 path can carry.
      throw new VouchError('INVALID_ARGUMENT', `The path parameter "${name}" is not well-formed Unicode.`);
    }
  });
}

/** The query string; a null query or member (JavaScript callers, settings read from JSON) is absent, never "null". */
function queryString(query: HttpRequest['query'] | null): string {
  if (query === undefined || query === null) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, item);
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/**
 * `Retry-After` as milliseconds (delta-seconds or an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`), or
 * undefined. Nothing else is guessed at: `Date.parse` reads `-1` or `1.5` as dates in 2001 (no wait at all) and rolls
 * `31 Feb` over into March, so a date must print back as itself; otherwise the caller's backoff applies. Any number of
 * digits is seconds: a number too long to read exactly is still a wait past any `maxRetryAfterMs` (Infinity past
 * what a number holds), never a retry after the backoff.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^[0-9]+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at) || new Date(at).toUTCString() !== v) return undefined;
  return Math.max(0, at - now);
}

/**
 * The JSON text of a request body. A body holding NaN or ±Infinity is refused (`INVALID_ARGUMENT`) rather than sent
 * as null, which the server would read as a null the caller never wrote (an ingested event's absent field); so is one
 * JSON cannot carry at all (a cycle, a BigInt, a function or symbol: finiteJsonText's UNSUPPORTED_JSON_VALUE) or that
 * JSON.stringify cannot write (nested past its stack, or a text past a string's length: its RangeError).
 */
function bodyText(body: JsonValue): string {
  const notJson = (cause?: unknown) =>
    new VouchError(
      'INVALID_ARGUMENT',
      'The request body is not JSON data (a cycle, a BigInt, a function, nesting too deep?).',
      { cause },
    );
  let text: string;
  try {
    text = finiteJsonText(body, (key, value) => {
      const where = key === '' ? 'The request body' : `"${key}" in the request body`;
      throw new VouchError(
        'INVALID_ARGUMENT',
        `${where} holds ${String(value)}, which JSON cannot carry (it would be sent as null).`,
      );
    });
  } catch (err) {
    // A toJSON's own TypeError is not JSON data either.
    if (err instanceof TypeError || err instanceof RangeError || isVouchError(err, 'UNSUPPORTED_JSON_VALUE')) {
      throw notJson(err);
    }
    throw err;
  }
  return text;
}

function labelledJson(contentType: string | null): boolean {
  return contentType !== null && /[/+]json\b/i.test(contentType);
}

/**
 * The body parsed when labelled JSON, else the text; `invalid` when labelled JSON that does not parse, and (with
 * `json`, a route that answers JSON) when it is not labelled JSON or is empty; `strict` parses with `parseStrict`.
 */
function parseBody(
  text: string,
  contentType: string | null,
  json: boolean,
  strict: boolean,
): { body: unknown; invalid: boolean } {
  if (text === '') return { body: undefined, invalid: json };
  if (labelledJson(contentType)) {
    try {
      return { body: strict ? parseStrict(text) : JSON.parse(text), invalid: false };
    } catch {
      return { body: text, invalid: true };
    }
  }
  return { body: text, invalid: json };
}

/** The HTTP layer of {@link VouchClient}; one per client. */
export class HttpTransport {
  readonly baseUrl: string;
  readonly crypto: CryptoProvider;
  readonly now: () => number;
  /** `baseUrl` in its two parts, parsed once: every call sends to `origin` and signs `basePath` + path. */
  private readonly origin: string;
  private readonly basePath: string;
  /** An ES private field, so that printing or serializing a client never shows a credential. */
  readonly #credentials: Credentials;
  private readonly fetchImpl: HttpFetch;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly maxResponseBytes: number;

  constructor(options: HttpOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new VouchError('INVALID_ARGUMENT', 'HttpTransport needs options with a baseUrl.');
    }
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new VouchError('INVALID_ARGUMENT', 'baseUrl must be an absolute http(s) URL.');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new VouchError('INVALID_ARGUMENT', 'baseUrl must be an absolute http(s) URL.');
    }
    // Only the origin and path are used: any other part would be dropped without a word (credentials never sent, a
    // query never asked). Named, never echoed, since the URL may hold a password.
    if (base.username !== '' || base.password !== '') {
      throw new VouchError('INVALID_ARGUMENT', 'baseUrl must not hold a user name or password; use credentials.');
    }
    // The serialized URL holds `?` or `#` only as their delimiters, an empty query or fragment included.
    const href = base.href;
    if (href.includes('?')) throw new VouchError('INVALID_ARGUMENT', 'baseUrl must not hold a query (?...).');
    if (href.includes('#')) throw new VouchError('INVALID_ARGUMENT', 'baseUrl must not hold a fragment (#...).');
    this.origin = base.origin;
    this.basePath = withoutTrailing(base.pathname, '/');
    this.baseUrl = `${this.origin}${this.basePath}`;
    this.#credentials = { ...options.credentials };
    this.fetchImpl = functionOption<HttpFetch>(options.fetch, (url, init) => globalThis.fetch(url, init), 'fetch');
    this.timeoutMs = timeout(options.timeoutMs, 10_000, 'timeoutMs');
    this.retries = retryCount(options.retry?.retries, 2, 'retry.retries');
    this.baseDelayMs = nonNegative(options.retry?.baseDelayMs, 200, 'retry.baseDelayMs');
    this.maxDelayMs = nonNegative(options.retry?.maxDelayMs, 5000, 'retry.maxDelayMs');
    this.maxRetryAfterMs = nonNegative(options.retry?.maxRetryAfterMs, 30_000, 'retry.maxRetryAfterMs');
    this.crypto = cryptoOption(options.crypto, defaultCrypto);
    this.now = functionOption(options.now, () => Date.now(), 'now');
    this.sleep = functionOption(options.sleep, abortableSleep, 'sleep');
    this.random = functionOption(options.random, Math.random, 'random');
    this.maxResponseBytes = byteCount(options.maxResponseBytes, MAX_RESPONSE_BYTES, 'maxResponseBytes');
  }

  /**
   * Whether a credential of this kind is configured. A null one (settings read from JSON) is not: it would go out as
   * the text "null", ahead of a real credential the route also accepts.
   */
  has(kind: CredentialKind): boolean {
    const c = this.#credentials;
    switch (kind) {
      case 'admin':
        return c.adminKey !== undefined && c.adminKey !== null;
      case 'owner':
        return c.ownerKey !== undefined && c.ownerKey !== null;
      case 'integrator':
        return c.integratorKey !== undefined && c.integratorKey !== null;
      case 'management':
        return c.managementToken !== undefined && c.managementToken !== null;
      case 'agent':
        return c.agent !== undefined && c.agent !== null;
    }
  }

  /** The configured agent credential, for helpers that sign more than requests. */
  agent(): AgentCredential | undefined {
    return this.#credentials.agent ?? undefined;
  }

  private pick(route: Route, as: CallOptions['as']): CredentialKind | undefined {
    if (as === 'none') return undefined;
    if (as !== undefined) {
      if (!this.has(as)) throw new VouchError('INVALID_ARGUMENT', `No ${as} credential is configured.`);
      return as;
    }
    return route.auth.find((k) => this.has(k));
  }

  private async authHeaders(
    kind: CredentialKind | undefined,
    method: string,
    pathAndQuery: string,
    body: JsonValue | undefined,
    signedAt: number | undefined,
  ): Promise<Record<string, string>> {
    const c = this.#credentials;
    switch (kind) {
      case undefined:
        return {};
      case 'admin':
        return { 'x-api-key': headerValue(kind, c.adminKey!) };
      case 'owner':
        return { authorization: `Bearer ${headerValue(kind, c.ownerKey!)}` };
      case 'integrator':
        return { authorization: `Bearer ${headerValue(kind, c.integratorKey!)}` };
      case 'management':
        return { authorization: `Bearer ${headerValue(kind, c.managementToken!)}` };
      case 'agent':
        // The DID goes out as x-vouch-agent: one fetch refuses would fail as a NETWORK_ERROR, and be retried; one that
        // is not a string would go out as "undefined" (or "42"), an agent the server can only refuse after the trip.
        if (typeof c.agent!.did !== 'string') {
          throw new VouchError('INVALID_ARGUMENT', 'The agent credential needs its did as a string.');
        }
        headerValue(kind, c.agent!.did);
        return signRequestHeaders(
          this.crypto,
          c.agent!,
          method,
          pathAndQuery,
          body,
          signedTime(signedAt ?? this.now()),
        );
    }
  }

  /**
   * Sends one call: retried on a network error, a timeout, 429, 502, 503 or 504 only when the route is idempotent
   * (GET, HEAD, or a route marked so), waiting `Retry-After` when the server sends it, else exponential backoff
   * with full jitter. Anything else non-2xx (and not in `accept`) throws {@link VouchApiError}. Redirects are never
   * followed (`UNEXPECTED_REDIRECT`): fetch would resend `x-api-key`, signed headers and the body to wherever the
   * `Location` points.
   */
  async call<T>(route: Route, request: HttpRequest = {}, callOptions?: CallOptions): Promise<HttpResponse<T>> {
    // A null options argument means the defaults, as an absent one does.
    const options: CallOptions = callOptions ?? {};
    // An AbortController passed for its signal (a common slip) would fail as a raw TypeError deep in the loop.
    checkSignal(options.signal);
    const method = route.method;
    const path = expandPath(route.path, request.params);
    const pathAndQuery = `${this.basePath}${path}${queryString(request.query)}`;
    const url = `${this.origin}${pathAndQuery}`;
    const kind = this.pick(route, options.as);
    const idempotent =
      request.idempotent !== false && (method === 'GET' || method === 'HEAD' || route.idempotent === true);
    // Checked on every route, so a bad count fails alike whether or not this one is retried.
    const callRetries = retryCount(options.retries, this.retries, 'retries');
    const retries = idempotent ? callRetries : 0;
    const timeoutMs = timeout(options.timeoutMs, this.timeoutMs, 'timeoutMs');
    const text = request.body === undefined ? undefined : bodyText(request.body);
    // What the server hashes is the parsed body; sign the same value (JSON.stringify drops undefined members).
    const sent = text === undefined ? undefined : (JSON.parse(text) as JsonValue);

    for (let attempt = 0; ; attempt++) {
      options.signal?.throwIfAborted();
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...(await this.authHeaders(kind, method, pathAndQuery, sent, request.signedAt)),
      };
      // Signing is asynchronous: a call cancelled meanwhile must not go out (its abort event has already fired).
      options.signal?.throwIfAborted();
      if (text !== undefined) headers['content-type'] = 'application/json';
      let failure: VouchApiError;
      let retryAfterMs: number | undefined;
      try {
        const json = route.text !== true && method !== 'HEAD';
        const res = await this.attempt(url, { method, headers, body: text }, timeoutMs, options.signal, path, {
          json,
          strict: options.strictJson === true,
        });
        const ok = (res.status >= 200 && res.status < 300) || (request.accept?.includes(res.status) ?? false);
        if (ok) return { status: res.status, body: res.body as T, headers: res.headers };
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.now());
        failure = errorFromResponse(method, path, res.status, res.body, retryAfterMs);
        if (!RETRYABLE_STATUS.has(res.status)) throw failure;
      } catch (err) {
        // Status 0: the client's own transport failure, not a server's body that happens to name one of its codes.
        const noAnswer =
          err instanceof VouchApiError &&
          err.status === 0 &&
          (err.code === 'NETWORK_ERROR' || err.code === 'REQUEST_TIMEOUT');
        if (!noAnswer) throw err;
        failure = err; // no answer: network error or timeout
      }
      if (attempt >= retries) throw failure;
      if (retryAfterMs !== undefined && retryAfterMs > this.maxRetryAfterMs) throw failure;
      const backoff = this.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
      await this.sleep(retryAfterMs ?? backoff, options.signal);
    }
  }

  /**
   * One request with its own timeout; no answer → VouchApiError with status 0 (`NETWORK_ERROR`, `REQUEST_TIMEOUT`);
   * a redirect → `UNEXPECTED_REDIRECT`; a body over the cap → `RESPONSE_TOO_LARGE`; a non-error body labelled JSON
   * that is not UTF-8 or does not parse (`strict`: with `parseStrict`), or (`json`) a 2xx body that is not UTF-8 JSON
   * at all → `RESPONSE_INVALID`.
   */
  private async attempt(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string },
    timeoutMs: number,
    signal: AbortSignal | undefined,
    path: string,
    { json, strict }: { json: boolean; strict: boolean },
  ): Promise<{ status: number; body: unknown; headers: { get(name: string): string | null } }> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timerDelay(timeoutMs));
    const onAbort = () => controller.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const refusal = (code: string, message: string, status: number) =>
      new VouchApiError(code, message, { status, method: init.method, path });
    try {
      const res = await this.fetchImpl(url, { ...init, signal: controller.signal, redirect: 'manual' });
      // Browsers hide a manual redirect behind an opaque status-0 response; Node shows the 3xx itself.
      if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400 && res.status !== 304)) {
        discardBody(res);
        const status = res.type === 'opaqueredirect' ? 'a redirect' : `${res.status} (a redirect)`;
        throw refusal(
          'UNEXPECTED_REDIRECT',
          `${init.method} ${path} answered ${status}; the client does not follow redirects: set baseUrl to the final URL.`,
          res.status,
        );
      }
      let text: string;
      if (res.status >= 400) {
        // An error body too long to be Vouch's {error, code} is dropped: the status still makes the error.
        text = await readBodyText(res, MAX_ERROR_BODY).catch((err: unknown) => {
          if (isVouchError(err, 'RESPONSE_TOO_LARGE')) return '';
          throw err;
        });
      } else {
        // A body read as JSON must be UTF-8 (RFC 8259 §8.1): other bytes are refused, not read as U+FFFD.
        const fatal = (json && res.status >= 200 && res.status < 300) || labelledJson(res.headers.get('content-type'));
        text = await readBodyText(res, this.maxResponseBytes, { fatal }).catch((err: unknown) => {
          if (isVouchError(err, 'INVALID_UTF8')) {
            throw refusal(
              'RESPONSE_INVALID',
              `${init.method} ${path} answered ${res.status} with a JSON body that is not UTF-8.`,
              res.status,
            );
          }
          if (!isVouchError(err, 'RESPONSE_TOO_LARGE')) throw err;
          throw refusal(
            'RESPONSE_TOO_LARGE',
            `${init.method} ${path} answered more than ${this.maxResponseBytes} bytes (maxResponseBytes).`,
            res.status,
          );
        });
      }
      const success = res.status >= 200 && res.status < 300;
      const { body, invalid } = parseBody(text, res.headers.get('content-type'), json && success, strict && success);
      // A success that claims JSON but does not parse (cut short, an HTML page mislabelled), or a JSON route's success
      // that is not JSON at all (a proxy's or an app's HTML fallback, an empty 204), is no answer to hand back as a
      // string or undefined: a write would read as done. An error status keeps its own code (HTTP_ERROR) whatever
      // its body.
      if (invalid && res.status < 400) {
        throw refusal(
          'RESPONSE_INVALID',
          `${init.method} ${path} answered ${res.status} with a body that is not the JSON answer it should be.`,
          res.status,
        );
      }
      return { status: res.status, body, headers: res.headers };
    } catch (err) {
      if (err instanceof VouchApiError) throw err;
      if (signal?.aborted) throw signal.reason;
      const details = { status: 0, method: init.method, path, cause: err };
      if (timedOut) {
        throw new VouchApiError('REQUEST_TIMEOUT', `${init.method} ${path} timed out after ${timeoutMs} ms.`, details);
      }
      throw new VouchApiError('NETWORK_ERROR', `${init.method} ${path} got no answer.`, details);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
