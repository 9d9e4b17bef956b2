import { VouchError } from '../errors.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import { cryptoOption } from '../lib/crypto-option.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { formatPrivateKey, formatPublicKey } from './format.ts';
import type { PrivateJwk, PublicJwk } from './jwk.ts';
import { isKeyType, type KeyType, type PrivateKey, type PublicKey } from './key.ts';
import { jwkThumbprint } from './thumbprint.ts';

/** A new key pair with its usual exported forms. The `private*` members are secrets. */
export interface GeneratedKeyPair {
  readonly type: KeyType;
  readonly publicKey: PublicKey;
  readonly privateKey: PrivateKey;
  readonly publicJwk: PublicJwk;
  readonly privateJwk: PrivateJwk;
  readonly publicPem: string;
  readonly privatePem: string;
  /** RFC 7638 thumbprint of the public key, usable as `kid`. */
  readonly thumbprint: string;
  /** Ed25519 only: `ed25519:<base64url>`. */
  readonly publicKeyRegistry?: string;
  /** Ed25519 only: standard base64 of the 32 raw bytes. */
  readonly publicKeyBase64?: string;
}

/**
 * Generates an Ed25519 or P-256 key pair and exports it in the usual forms.
 *
 * @example
 * ```ts
 * const pair = await generateKeyPair('Ed25519');
 * pair.publicKeyBase64; // for identity.app-style registration
 * ```
 */
export async function generateKeyPair(type: KeyType, crypto?: CryptoProvider): Promise<GeneratedKeyPair> {
  const provider = cryptoOption(crypto, getDefaultCrypto); // null: the default; a non-provider: INVALID_ARGUMENT
  if (!isKeyType(type)) {
    throw new VouchError('UNSUPPORTED_KEY_TYPE', 'The key type is not supported (use Ed25519 or P-256).');
  }
  const { publicKey, privateKey } = await provider.generateKeyPair(type);
  const pair: GeneratedKeyPair = {
    type,
    publicKey,
    privateKey,
    publicJwk: formatPublicKey(publicKey, 'jwk'),
    privateJwk: formatPrivateKey(privateKey, 'jwk'),
    publicPem: formatPublicKey(publicKey, 'pem'),
    privatePem: formatPrivateKey(privateKey, 'pem'),
    thumbprint: await jwkThumbprint(publicKey, provider),
  };
  if (type !== 'Ed25519') return pair;
  return {
    ...pair,
    publicKeyRegistry: formatPublicKey(publicKey, 'registry'),
    publicKeyBase64: formatPublicKey(publicKey, 'base64'),
  };
}
