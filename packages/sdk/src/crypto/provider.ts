import type { KeyType, PrivateKey, PublicKey } from '../keys/key.ts';

/** JWS names of the two signature algorithms: EdDSA over Ed25519, and ECDSA P-256 SHA-256 (`ES256`). */
export type SignatureAlgorithm = 'EdDSA' | 'ES256';

export interface KeyPair {
  readonly publicKey: PublicKey;
  readonly privateKey: PrivateKey;
}

/**
 * The SDK's crypto interface. Every method is async so that an implementation can run work off the calling thread
 * (Node: libuv's threadpool) or on WebCrypto, whose API is asynchronous.
 *
 * Contract shared by all implementations (and tested against both):
 * - ES256 signatures are raw `r‖s` (IEEE P1363, 64 bytes); `r` and `s` must be in `[1, n-1]`; low-S is NOT
 *   required (RFC 7515's own example is high-S).
 * - `verify` resolves `false` for a signature that is wrong in any way, including its length; it rejects with a
 *   `VouchError` only for caller errors (unknown algorithm, key of the wrong type), or with `CRYPTO_ERROR` when the
 *   runtime cannot use the key type at all (a WebCrypto without Ed25519).
 * - Byte outputs are plain `Uint8Array`s.
 */
export interface CryptoProvider {
  /** A short name for logs and benchmarks, e.g. `node` or `webcrypto`. */
  readonly name: string;
  generateKeyPair(type: KeyType): Promise<KeyPair>;
  sign(alg: SignatureAlgorithm, privateKey: PrivateKey, data: Uint8Array): Promise<Uint8Array>;
  verify(alg: SignatureAlgorithm, publicKey: PublicKey, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
  sha256(data: Uint8Array): Promise<Uint8Array>;
  randomBytes(length: number): Promise<Uint8Array>;
}
