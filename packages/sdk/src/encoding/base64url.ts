import { decodeWith, encodeWith, URL_SAFE } from '../lib/base64-core.ts';
import { toBytes } from '../lib/bytes.ts';
import { VouchError } from '../errors.ts';

/**
 * Encodes bytes (or a string, as UTF-8) as base64url without padding (RFC 4648 §5, as JOSE uses it).
 *
 * @example
 * ```ts
 * encodeBase64url(new Uint8Array([0xfb, 0xff])); // '-_8'
 * ```
 */
export function encodeBase64url(input: Uint8Array | string): string {
  return encodeWith(toBytes(input), URL_SAFE, false);
}

/**
 * Decodes base64url strictly: no padding, no whitespace, only `A-Z a-z 0-9 - _`, no impossible length, and zero
 * unused trailing bits, so each byte string has exactly one accepted encoding (signatures cannot be re-encoded).
 * Throws `VouchError` `INVALID_BASE64URL`.
 *
 * @example
 * ```ts
 * decodeBase64url('-_8'); // Uint8Array [0xfb, 0xff]
 * decodeBase64url('-_9'); // throws: non-zero trailing bits
 * ```
 */
export function decodeBase64url(input: string): Uint8Array {
  if (typeof input !== 'string') throw new VouchError('INVALID_BASE64URL', 'Expected a base64url string.');
  return decodeWith(input, input.length, URL_SAFE);
}
