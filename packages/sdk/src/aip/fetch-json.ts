import { VouchError, isVouchError } from '../errors.ts';
import { parseStrict } from '../json/parse-strict.ts';
import type { JsonValue } from '../json/types.ts';

/** The subset of WHATWG `fetch` the verifier uses (so tests and other runtimes can pass their own). */
export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

/** Largest response the verifier reads (revocation pages and key sets are far smaller). */
const MAX_RESPONSE_CHARS = 4 * 1024 * 1024;

export interface JsonResponse {
  status: number;
  body?: JsonValue;
  etag?: string;
}

/**
 * GETs a JSON document with a timeout: 200 → parsed strictly (duplicate keys, non-finite numbers and deep nesting
 * refused); 304 → no body; anything else, a network error or a timeout → `AIP_FETCH_FAILED`; a body that is not
 * strict JSON → `AIP_RESPONSE_INVALID`. URLs may appear in messages (they are public), never response bodies.
 */
export async function getJson(
  fetchImpl: FetchLike,
  url: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    let res;
    try {
      res = await fetchImpl(url, { headers: { accept: 'application/json', ...headers }, signal: controller.signal });
    } catch (err) {
      throw new VouchError('AIP_FETCH_FAILED', `Fetching ${url} failed.`, { cause: err });
    }
    if (res.status === 304) return { status: 304 };
    if (res.status !== 200) throw new VouchError('AIP_FETCH_FAILED', `${url} answered ${res.status}.`);
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new VouchError('AIP_FETCH_FAILED', `Reading ${url} failed.`, { cause: err });
    }
    if (text.length > MAX_RESPONSE_CHARS) throw new VouchError('AIP_RESPONSE_INVALID', `${url} answered too much.`);
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
