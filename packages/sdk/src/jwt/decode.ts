import { VouchError } from '../errors.ts';
import { decodeBase64url } from '../encoding/base64url.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { parseStrict } from '../json/parse-strict.ts';
import { isVouchError } from '../errors.ts';
import { asciiBytesNative, decodeBase64urlNative } from '../lib/native-base64url.ts';
import type { DecodedJws, JwsHeader, JwtClaims } from './types.ts';
import { MAX_JWT_JSON_DEPTH, MAX_TOKEN_LENGTH } from './types.ts';

function malformed(message: string, cause?: unknown): VouchError {
  return new VouchError('JWT_MALFORMED', message, cause === undefined ? undefined : { cause });
}

function part(text: string, what: string, native = false): Uint8Array {
  if (native) {
    // Same acceptance as the JS decoder below, which still reports every refusal (see native-base64url.ts).
    const bytes = decodeBase64urlNative(text);
    if (bytes !== undefined) return bytes;
  }
  try {
    return decodeBase64url(text);
  } catch (err) {
    // Re-encoded tokens (padding, non-canonical trailing bits) fail here: the signature covers exact bytes.
    throw malformed(`The token's ${what} is not strict base64url.`, err);
  }
}

function object(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseStrict(bytes, { maxDepth: MAX_JWT_JSON_DEPTH });
  } catch (err) {
    if (isVouchError(err)) throw malformed(`The token's ${what} is not strict JSON (${err.code}).`, err);
    throw err;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformed(`The token's ${what} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

// Parsed headers by their base64url text: one issuer's tokens share a few headers, so the strict decode of a
// header runs once per distinct header. Only headers of primitive members are kept (a copy is handed out, so a
// caller that edits its header cannot change another token's); bounded, emptied when full.
const HEADER_CACHE_MAX = 256;
const HEADER_CACHE_MAX_LENGTH = 1024;
const headerCache = new Map<string, JwsHeader>();

function isFlat(header: Record<string, unknown>): boolean {
  for (const name in header) {
    const v = header[name];
    if (v !== null && typeof v === 'object') return false;
  }
  return true;
}

// The last cached header and its exact text, checked in place with startsWith: the next token of the same issuer
// then costs neither a slice nor a hash of its header text.
let lastText = '';
let lastHeader: JwsHeader | undefined;

function decodeHeader(h: string): JwsHeader {
  const cached = headerCache.get(h);
  if (cached !== undefined) {
    lastText = h;
    lastHeader = cached;
    return { ...cached };
  }
  const header = object(part(h, 'header'), 'header');
  if (typeof header.alg !== 'string') throw malformed('The token header has no "alg".');
  if (h.length <= HEADER_CACHE_MAX_LENGTH && isFlat(header)) {
    if (headerCache.size >= HEADER_CACHE_MAX) headerCache.clear();
    headerCache.set(h, { ...header } as JwsHeader);
  }
  return header as JwsHeader;
}

/** The header of `token`, whose first dot is at `dot1`. */
function headerOf(token: string, dot1: number): JwsHeader {
  // Equal text, so the same header as the cache would give (lastHeader is only ever a cached entry).
  if (lastHeader !== undefined && dot1 === lastText.length && token.startsWith(lastText)) return { ...lastHeader };
  return decodeHeader(token.slice(0, dot1));
}

/**
 * Splits and decodes a compact JWS without verifying it: exactly three parts, each strict base64url, a header
 * that is a strict-JSON object with a string `alg`. Throws `JWT_TOO_LARGE` or `JWT_MALFORMED`; `INVALID_ARGUMENT`
 * when `maxLength` (default {@link MAX_TOKEN_LENGTH}, also for null) is not a positive safe integer.
 *
 * @example
 * ```ts
 * const { header } = decodeJws(token); // header.kid picks the key
 * ```
 */
export function decodeJws(token: string, maxLength = MAX_TOKEN_LENGTH): DecodedJws {
  return split(token, maxLength, false);
}

/**
 * Internal, for the verifiers: {@link decodeJws} (same checks, same errors, same order), decoding through Node's
 * native codec where there is one. Its byte arrays may be views into Node's shared pool, so they must not be handed
 * back to callers (verifyJws keeps using decodeJws).
 */
export function decodeJwsForVerify(token: string, maxLength = MAX_TOKEN_LENGTH): DecodedJws {
  return split(token, maxLength, true);
}

function split(token: string, maxLength: number | null | undefined, native: boolean): DecodedJws {
  // Null reads as absent; NaN would silently lift the bound and 0 or less refuse every token, so both are refused.
  const limit = maxLength ?? MAX_TOKEN_LENGTH;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new VouchError('INVALID_ARGUMENT', 'maxLength must be a positive whole number of characters.');
  }
  if (typeof token !== 'string') throw malformed('The token is not a string.');
  if (token.length > limit) throw new VouchError('JWT_TOO_LARGE', `The token is longer than ${limit} characters.`);
  const dot1 = token.indexOf('.');
  const dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
  if (dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) {
    throw malformed('A compact JWS has exactly three dot-separated parts.');
  }
  if (dot1 === 0 || dot2 === token.length - 1) throw malformed('The token has an empty header or signature.');
  const header = headerOf(token, dot1);
  const payload = part(token.slice(dot1 + 1, dot2), 'payload', native);
  const signature = part(token.slice(dot2 + 1), 'signature', native);
  const input = token.slice(0, dot2);
  // Header and payload are strict base64url by now, so the signing input is ASCII: its Latin-1 bytes are its UTF-8.
  const signingInput = (native ? asciiBytesNative(input) : undefined) ?? encodeUtf8(input);
  return { header, payload, signingInput, signature };
}

/**
 * Decodes a JWT's claims (strict JSON object) without verifying anything. For display (`vouch token inspect`) and
 * for picking a verifier; never trust the result before `verifyJwt`.
 *
 * @example
 * ```ts
 * const { header, claims } = decodeJwt(token);
 * ```
 */
export function decodeJwt(token: string, maxLength = MAX_TOKEN_LENGTH): { header: JwsHeader; claims: JwtClaims } {
  const jws = decodeJws(token, maxLength);
  return { header: jws.header, claims: object(jws.payload, 'payload') as JwtClaims };
}
