// Reading a fetch response's body with a byte cap, for every SDK fetch path: a hostile or broken server cannot make
// the client buffer more than the cap (the stream is cancelled as soon as it is exceeded). No node:* import: browsers
// use it too.
import { VouchError } from '../errors.ts';

/** The part of a WHATWG `ReadableStream` reader the SDK uses. */
interface ByteReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}

/**
 * The part of a fetch `Response` whose body the SDK reads. `body` is optional so that a caller's own `fetch` may
 * answer with `text()` alone; such a body is read whole and then measured (the cap cannot protect it while reading).
 */
export interface ReadableResponse {
  headers: { get(name: string): string | null };
  body?: { getReader(): ByteReader; cancel(reason?: unknown): Promise<void> } | null;
  text(): Promise<string>;
}

function tooLarge(maxBytes: number): VouchError {
  return new VouchError('RESPONSE_TOO_LARGE', `The response is larger than ${maxBytes} bytes.`);
}

/** Drops a body unread (e.g. a redirect's), so the connection is released; errors are irrelevant here. */
export function discardBody(res: ReadableResponse): void {
  res.body?.cancel().catch(() => undefined);
}

export interface ReadBodyOptions {
  /**
   * Bytes that are not UTF-8 (a stray byte, an overlong form, an encoded surrogate) throw `INVALID_UTF8` instead of
   * becoming U+FFFD, as JSON requires (RFC 8259 §8.1). A leading byte-order mark is dropped either way. Only a `body`
   * stream can be checked: a response with `text()` alone has been decoded already.
   */
  fatal?: boolean;
}

// A leading BOM is dropped (ignoreBOM: false), as RFC 8259 §8.1 lets a JSON reader do.
const lenient = new TextDecoder('utf-8');
const fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * The body as UTF-8 text (as `Response.text()` decodes it, or with `fatal` refusing what is not UTF-8:
 * `INVALID_UTF8`), or `RESPONSE_TOO_LARGE` once it exceeds `maxBytes`: refused up front when `Content-Length` says
 * so, otherwise as soon as the bytes read pass the cap. `maxBytes` must be a safe integer, 0 or more (as
 * VouchClient's `maxResponseBytes`), else `INVALID_ARGUMENT`: a NaN or missing cap compares false with every length.
 */
export async function readBodyText(
  res: ReadableResponse,
  maxBytes: number,
  options: ReadBodyOptions = {},
): Promise<string> {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new VouchError('INVALID_ARGUMENT', 'maxBytes must be a whole number of bytes, 0 or more.');
  }
  const declared = res.headers.get('content-length');
  if (declared !== null && /^[0-9]+$/.test(declared.trim()) && Number(declared.trim()) > maxBytes) {
    discardBody(res);
    throw tooLarge(maxBytes);
  }
  const body = res.body;
  if (body === undefined || body === null) {
    const text = await res.text();
    // Characters never outnumber UTF-8 bytes: only a body near the cap needs encoding to be measured exactly.
    if (text.length > maxBytes || (text.length * 3 > maxBytes && new TextEncoder().encode(text).length > maxBytes)) {
      throw tooLarge(maxBytes);
    }
    return text;
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value === undefined) continue;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  if (options.fatal !== true) return lenient.decode(bytes);
  try {
    return fatal.decode(bytes);
  } catch {
    throw new VouchError('INVALID_UTF8', 'The response body is not valid UTF-8.');
  }
}
