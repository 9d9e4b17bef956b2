import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets (or values derived from them) in time independent of where they differ. Both sides are
 * hashed first so that unequal lengths neither throw nor leak through an early return.
 */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}
