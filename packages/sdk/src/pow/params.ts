import { VouchError } from '../errors.ts';

/** Leading zero hex digits required by identity.app registration (`SHA-256(publicKey + nonce)` starts `0000`). */
export const DEFAULT_POW_DIFFICULTY = 4;
/** Highest accepted difficulty: 16 hex zeros is 2^64 expected hashes, far beyond any sane setting. */
export const MAX_POW_DIFFICULTY = 16;
/** A nonce is a decimal string of at most this many digits (2^64 has 20). */
export const MAX_POW_NONCE_LENGTH = 20;

const NONCE = new RegExp(`^[0-9]{1,${MAX_POW_NONCE_LENGTH}}$`);

export function checkDifficulty(difficulty: unknown): number {
  if (!Number.isInteger(difficulty) || (difficulty as number) < 0 || (difficulty as number) > MAX_POW_DIFFICULTY) {
    throw new VouchError(
      'INVALID_POW_DIFFICULTY',
      `The proof-of-work difficulty must be an integer from 0 to ${MAX_POW_DIFFICULTY}.`,
    );
  }
  return difficulty as number;
}

export function checkNonce(nonce: unknown): asserts nonce is string {
  if (typeof nonce !== 'string' || !NONCE.test(nonce)) {
    throw new VouchError(
      'INVALID_POW_NONCE',
      `The proof-of-work nonce must be a string of 1 to ${MAX_POW_NONCE_LENGTH} decimal digits.`,
    );
  }
}

export function checkPublicKeyText(publicKeyBase64: unknown): asserts publicKeyBase64 is string {
  if (typeof publicKeyBase64 !== 'string') {
    throw new VouchError('INVALID_ARGUMENT', 'The proof-of-work public key must be a string.');
  }
}

/** True when the digest starts with `difficulty` zero hex digits (checked on bytes: no hex encoding per try). */
export function hasLeadingZeroNibbles(digest: Uint8Array, difficulty: number): boolean {
  const whole = difficulty >> 1;
  for (let k = 0; k < whole; k++) if (digest[k] !== 0) return false;
  return (difficulty & 1) === 0 || digest[whole]! < 0x10;
}
