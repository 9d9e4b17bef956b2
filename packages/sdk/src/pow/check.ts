import { createHash } from 'node:crypto';
import {
  checkDifficulty,
  checkNonce,
  checkPublicKeyText,
  DEFAULT_POW_DIFFICULTY,
  hasLeadingZeroNibbles,
} from './params.ts';

/**
 * Checks an identity.app proof of work: `SHA-256(UTF-8(publicKeyBase64 + nonce))` in hex starts with `difficulty`
 * zeros. The public key string is hashed exactly as given (validate it separately with `parsePublicKey`).
 * Throws `INVALID_POW_NONCE` unless the nonce is 1–20 decimal digits, `INVALID_POW_DIFFICULTY` unless the
 * difficulty is an integer in 0–16; returns `false` when the work is insufficient. Synchronous: one hash.
 *
 * @example
 * ```ts
 * if (!checkPow(body.publicKey, body.powNonce)) reply.code(400);
 * ```
 */
export function checkPow(publicKeyBase64: string, nonce: string, difficulty: number = DEFAULT_POW_DIFFICULTY): boolean {
  checkPublicKeyText(publicKeyBase64);
  checkNonce(nonce);
  const d = checkDifficulty(difficulty);
  return hasLeadingZeroNibbles(
    createHash('sha256')
      .update(publicKeyBase64 + nonce, 'utf8')
      .digest(),
    d,
  );
}
