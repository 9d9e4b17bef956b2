import { constantTimeEqual, sha256HexSync } from '@vouch/sdk';

/**
 * Compares a presented secret with the expected one in constant time. Both sides are hashed first so the
 * comparison takes the same time whatever the lengths, and neither length leaks.
 */
export function secretEquals(presented: string, expected: string): boolean {
  return constantTimeEqual(sha256HexSync(presented), sha256HexSync(expected));
}

/** SHA-256 hex of a secret, the form in which API keys and tokens are stored. */
export function hashSecret(secret: string): string {
  return sha256HexSync(secret);
}
