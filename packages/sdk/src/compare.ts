import { timingSafeEqual } from 'node:crypto';
import { toBytes } from './lib/bytes.ts';

/**
 * Compares two secrets (API keys, token hashes, MACs) in time that does not depend on where they differ.
 * Strings are compared as UTF-8. Different lengths return `false` at once: lengths are not secret (compare
 * fixed-length hashes of secrets when they might be).
 *
 * @example
 * ```ts
 * constantTimeEqual(sha256HexSync(presented), storedHash); // true or false
 * ```
 */
export function constantTimeEqual(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const x = toBytes(a);
  const y = toBytes(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
