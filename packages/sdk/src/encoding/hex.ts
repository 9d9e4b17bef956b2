import { toBytes } from '../lib/bytes.ts';
import { VouchError } from '../errors.ts';

const DIGITS = '0123456789abcdef';
const TABLE = new Uint8Array(128).fill(255);
for (let i = 0; i < 16; i++) {
  TABLE[DIGITS.charCodeAt(i)] = i;
  TABLE[DIGITS.toUpperCase().charCodeAt(i)] = i;
}

/**
 * Encodes bytes (or a string, as UTF-8) as lowercase hex.
 *
 * @example
 * ```ts
 * encodeHex(new Uint8Array([0xca, 0xfe])); // 'cafe'
 * ```
 */
export function encodeHex(input: Uint8Array | string): string {
  const bytes = toBytes(input);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += DIGITS[bytes[i]! >> 4]! + DIGITS[bytes[i]! & 15]!;
  return out;
}

/**
 * Decodes hex. Accepts upper- and lowercase digits (so it is NOT a canonical form: compare decoded bytes, or
 * lowercase first, never compare hex strings from outside); rejects odd lengths, whitespace, `0x` prefixes and any
 * other character with `VouchError` `INVALID_HEX`.
 *
 * @example
 * ```ts
 * decodeHex('CAfe'); // Uint8Array [0xca, 0xfe]
 * ```
 */
export function decodeHex(input: string): Uint8Array {
  if (typeof input !== 'string') throw new VouchError('INVALID_HEX', 'Expected a hex string.');
  if (input.length % 2 !== 0) throw new VouchError('INVALID_HEX', 'The hex string has an odd length.');
  const out = new Uint8Array(input.length / 2);
  for (let i = 0; i < out.length; i++) {
    const a = input.charCodeAt(2 * i);
    const b = input.charCodeAt(2 * i + 1);
    const hi = a < 128 ? TABLE[a]! : 255;
    const lo = b < 128 ? TABLE[b]! : 255;
    if ((hi | lo) > 15) {
      throw new VouchError(
        'INVALID_HEX',
        `The hex string contains a non-hex character at index ${hi > 15 ? 2 * i : 2 * i + 1}.`,
      );
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}
