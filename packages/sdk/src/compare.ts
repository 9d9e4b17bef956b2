import { timingSafeEqual } from 'node:crypto';
import { hasLoneSurrogate } from './json/types.ts';
import { toBytes } from './lib/bytes.ts';

/**
 * Compares two secrets (API keys, token hashes, MACs) in time that does not depend on where they differ.
 * Strings are compared as UTF-8. Different lengths return `false` at once: lengths are not secret (compare
 * fixed-length hashes of secrets when they might be). A string with a lone surrogate, which has no UTF-8 form,
 * equals only the same string.
 *
 * @example
 * ```ts
 * constantTimeEqual(sha256HexSync(presented), storedHash); // true or false
 * ```
 */
export function constantTimeEqual(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const x = toBytes(a);
  const y = toBytes(b);
  if (!(x.length === y.length && timingSafeEqual(x, y))) return false;
  // TextEncoder writes every lone surrogate as U+FFFD, so strings that differ only there have the same bytes. Such a
  // string has no UTF-8 form: it equals only the same string (UTF-16 code units, compared in constant time too).
  const aLone = typeof a === 'string' && hasLoneSurrogate(a);
  const bLone = typeof b === 'string' && hasLoneSurrogate(b);
  if (!aLone && !bLone) return true;
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a, 'utf16le'), Buffer.from(b, 'utf16le'));
}
