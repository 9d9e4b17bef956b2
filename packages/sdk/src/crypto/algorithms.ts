import { VouchError } from '../errors.ts';
import { isPrivateKey, isPublicKey, type KeyType } from '../keys/key.ts';
import type { SignatureAlgorithm } from './provider.ts';

/** ES256 and Ed25519 signatures are both 64 bytes. */
export const SIGNATURE_LENGTH = 64;

/**
 * The signature algorithm for a key type: `Ed25519` → `EdDSA`, `P-256` → `ES256`.
 *
 * @example
 * ```ts
 * algorithmFor(key.type); // 'EdDSA'
 * ```
 */
export function algorithmFor(type: KeyType): SignatureAlgorithm {
  return type === 'Ed25519' ? 'EdDSA' : 'ES256';
}

/**
 * Throws unless `alg` is supported and matches the key type. Checked before every sign/verify so that an
 * algorithm named by an attacker (a JWS header) can never select how a key is used.
 */
export function assertAlgorithm(alg: unknown, type: KeyType): asserts alg is SignatureAlgorithm {
  if (alg !== 'EdDSA' && alg !== 'ES256') {
    throw new VouchError('UNSUPPORTED_ALGORITHM', 'The signature algorithm is not supported (use EdDSA or ES256).');
  }
  if (algorithmFor(type) !== alg) {
    throw new VouchError('KEY_ALGORITHM_MISMATCH', `The ${alg} algorithm cannot be used with a ${type} key.`);
  }
}

export function assertLength(length: unknown): asserts length is number {
  if (!Number.isSafeInteger(length) || (length as number) < 0 || (length as number) > 65536) {
    throw new VouchError('INVALID_ARGUMENT', 'The length must be an integer between 0 and 65536.');
  }
}

/**
 * Throws `INVALID_KEY` unless `key` is a key of `kind` made by the SDK: checked before its `type` is read, so that
 * null, a plain object or a key of the other kind is a caller error of its own, never a TypeError.
 */
export function assertKey(key: unknown, kind: 'public' | 'private'): void {
  if (kind === 'public' ? isPublicKey(key) : isPrivateKey(key)) return;
  const parser = kind === 'public' ? 'parsePublicKey' : 'parsePrivateKey';
  throw new VouchError('INVALID_KEY', `Expected a ${kind} key created by the Vouch SDK (see ${parser}).`);
}
