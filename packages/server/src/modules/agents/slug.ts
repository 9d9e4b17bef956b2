import { ApiError } from '../../errors.ts';

/** 3 to 40 characters: a lowercase letter, then letters, digits and hyphens, ending in a letter or digit. */
const SLUG = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;

/** The length of an internal id: a slug of this length could be mistaken for one, so none has it. */
const ID_LENGTH = 26;

/**
 * Whether `s` is a valid slug: `^[a-z][a-z0-9-]{1,38}[a-z0-9]$` and not exactly 26 characters. Slugs, internal ids
 * (26 characters), DIDs (contain `:`) and 64-hex signature hashes (longer than 40) can therefore never be confused.
 *
 * @example
 * isSlug('my-agent'); // true
 * isSlug('a'.repeat(26)); // false
 */
export function isSlug(s: string): boolean {
  return s.length !== ID_LENGTH && SLUG.test(s);
}

/** Throws `SLUG_INVALID` (400) unless `s` is a valid slug. */
export function assertSlug(s: string, field = 'slug'): void {
  if (!isSlug(s)) {
    throw new ApiError(
      'SLUG_INVALID',
      `${field} must be 3 to 40 characters of a-z, 0-9 and "-", start with a letter, not end with "-", and not be 26 characters long.`,
    );
  }
}

/** A 64-hex string: the form of a signature hash (identity.app's `verifyUrl`), never a slug. */
export function isSignatureHash(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}
