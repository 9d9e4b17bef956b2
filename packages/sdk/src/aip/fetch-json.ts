import { VouchError, isVouchError } from '../errors.ts';
import { parseStrict } from '../json/parse-strict.ts';
import type { JsonValue } from '../json/types.ts';
import { discardBody, readBodyText } from '../lib/read-body.ts';
import type { ReadableResponse } from '../lib/read-body.ts';
import { timerDelay } from '../lib/timer.ts';

/**
 * The subset of WHATWG `fetch` the verifier uses (so tests and other runtimes can pass their own). The verifier asks
 * for `redirect: 'manual'` and refuses redirects; a response with a `body` stream is read with the size cap as it
 * arrives, one with only `text()` is read whole and then measured.
 */
export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal; redirect: 'manual' },
) => Promise<ReadableResponse & { status: number; type?: string }>;

/** Largest response the verifier reads, in bytes (revocation pages and key sets are far smaller). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface JsonResponse {
  status: number;
  body?: JsonValue;
  etag?: string;
}

/**
 * GETs a JSON document with a timeout: 200 → parsed strictly (duplicate keys, non-finite numbers and deep nesting
 * refused); 304 → no body; anything else (a redirect included: none is followed, the documents must be served at the
 * URLs named), a network error or a timeout → `AIP_FETCH_FAILED`; a body over 4 MiB (not read further), not UTF-8
 * (RFC 8259 §8.1; a leading byte-order mark is ignored) or not strict JSON → `AIP_RESPONSE_INVALID`. URLs may appear
 * in messages (they are public), never response bodies.
 */
export async function getJson(
  fetchImpl: FetchLike,
  url: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timerDelay(timeoutMs));
  try {
    let res;
    try {
      res = await fetchImpl(url, {
        headers: { accept: 'application/json', ...headers },
        signal: controller.signal,
        redirect: 'manual',
      });
    } catch (err) {
      throw new VouchError('AIP_FETCH_FAILED', `Fetching ${url} failed.`, { cause: err });
    }
    if (res.status === 304) return { status: 304 };
    if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
      discardBody(res);
      const what = res.type === 'opaqueredirect' ? 'a redirect' : `a redirect (${res.status})`;
      throw new VouchError('AIP_FETCH_FAILED', `${url} answered ${what}, which the verifier does not follow.`);
    }
    if (res.status !== 200) {
      discardBody(res);
      throw new VouchError('AIP_FETCH_FAILED', `${url} answered ${res.status}.`);
    }
    let text: string;
    try {
      text = await readBodyText(res, MAX_RESPONSE_BYTES, { fatal: true });
    } catch (err) {
      if (isVouchError(err, 'RESPONSE_TOO_LARGE')) {
        throw new VouchError('AIP_RESPONSE_INVALID', `${url} answered more than ${MAX_RESPONSE_BYTES} bytes.`);
      }
      if (isVouchError(err, 'INVALID_UTF8')) {
        throw new VouchError('AIP_RESPONSE_INVALID', `${url} answered bytes that are not UTF-8.`);
      }
      throw new VouchError('AIP_FETCH_FAILED', `Reading ${url} failed.`, { cause: err });
    }
    let body: JsonValue;
    try {
      body = parseStrict(text);
    } catch (err) {
      if (isVouchError(err)) throw new VouchError('AIP_RESPONSE_INVALID', `${url} did not answer strict JSON.`);
      throw err;
    }
    const etag = res.headers.get('etag');
    return etag === null ? { status: 200, body } : { status: 200, body, etag };
  } finally {
    clearTimeout(timer);
  }
}

/** The object members of a JSON value, or `AIP_RESPONSE_INVALID`. */
export function objectOf(value: JsonValue | undefined, what: string): Record<string, JsonValue> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new VouchError('AIP_RESPONSE_INVALID', `The ${what} is not a JSON object.`);
  }
  return value as Record<string, JsonValue>;
}

/**
 * The client's answer for a document a verifier reads, with the client's `RESPONSE_INVALID` (a 2xx that is not JSON:
 * an HTML page, an empty body) given as `AIP_RESPONSE_INVALID`, the code every other document of the wrong shape has.
 */
export async function documentAnswer<T>(answer: Promise<T>, what: string): Promise<T> {
  try {
    return await answer;
  } catch (err) {
    if (isVouchError(err, 'RESPONSE_INVALID')) {
      throw new VouchError('AIP_RESPONSE_INVALID', `The ${what} is not a JSON object.`, { cause: err });
    }
    throw err;
  }
}
