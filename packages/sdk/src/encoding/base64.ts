import { decodeWith, encodeWith, STANDARD } from '../lib/base64-core.ts';
import { toBytes } from '../lib/bytes.ts';
import { VouchError } from '../errors.ts';

/**
 * Encodes bytes (or a string, as UTF-8) as standard base64 with `=` padding (RFC 4648 §4).
 *
 * @example
 * ```ts
 * encodeBase64(new Uint8Array([0xfb, 0xff])); // '+/8='
 * ```
 */
export function encodeBase64(input: Uint8Array | string): string {
  return encodeWith(toBytes(input), STANDARD, true);
}

/**
 * Decodes standard base64 strictly: length a multiple of 4, exactly the padding the length needs, no whitespace or
 * line breaks, only `A-Z a-z 0-9 + /`, and zero unused trailing bits. Throws `VouchError` `INVALID_BASE64`.
 *
 * @example
 * ```ts
 * decodeBase64('+/8='); // Uint8Array [0xfb, 0xff]
 * decodeBase64('+/8');  // throws: missing padding
 * ```
 */
export function decodeBase64(input: string): Uint8Array {
  if (typeof input !== 'string') throw new VouchError('INVALID_BASE64', 'Expected a base64 string.');
  const n = input.length;
  if (n % 4 !== 0) {
    throw new VouchError('INVALID_BASE64', 'The base64 string length is not a multiple of 4 (padding is required).');
  }
  let end = n;
  if (n > 0 && input.charCodeAt(n - 1) === 0x3d) end = input.charCodeAt(n - 2) === 0x3d ? n - 2 : n - 1;
  // Three or four '=' leave one in the body, which decodeWith reports as misplaced padding.
  return decodeWith(input, end, STANDARD);
}
