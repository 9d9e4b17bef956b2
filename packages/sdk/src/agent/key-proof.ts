// The proof of possession a registrant may send with a new key (docs/PROTOCOL.md "Proof of possession"): the key
// signs a statement naming the server, so no one can register a key they do not hold. One definition for both
// sides: the server checks the statement built here.
import { VouchError } from '../errors.ts';
import { encodeBase64 } from '../encoding/base64.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import { cryptoOption } from '../lib/crypto-option.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { isPrivateKey, type PrivateKey } from '../keys/key.ts';
import { formatPublicKey } from '../keys/format.ts';

/** A registration's proof of possession: `keyProof` of `POST /api/v1/agents/register`. */
export interface KeyProof {
  /** Milliseconds since the epoch; the server accepts it within 5 minutes of its clock. */
  signedAt: number;
  /** Standard base64 Ed25519 signature of {@link registrationStatement}. */
  signature: string;
}

/**
 * The exact string a key's holder signs (UTF-8, Ed25519) to prove possession when registering it:
 * `vouch-register-v1:<VOUCH_PUBLIC_URL>:<key as standard base64 of its 32 bytes>:<signedAt ms>`. Naming the server
 * keeps a proof made for another server from registering the key here.
 *
 * @example
 * ```ts
 * registrationStatement('https://vouch.example', publicKeyBase64, 1767225600000);
 * // 'vouch-register-v1:https://vouch.example:<publicKeyBase64>:1767225600000'
 * ```
 */
export function registrationStatement(publicUrl: string, publicKeyBase64: string, signedAt: number): string {
  // No checks here: the server builds the statement to verify from whatever it was sent.
  return `vouch-register-v1:${publicUrl}:${publicKeyBase64}:${signedAt}`;
}

/**
 * Signs {@link registrationStatement} for the public key of `privateKey` (Ed25519) and the server whose
 * `VOUCH_PUBLIC_URL` is `publicUrl` (its AIP discovery document's `issuer`): the `keyProof` of a registration.
 *
 * @example
 * ```ts
 * const keyProof = await signKeyProof(privateKey, { publicUrl: 'https://vouch.example', signedAt: Date.now() });
 * await client.agents.register({ publicKey, powNonce, keyProof });
 * ```
 */
export async function signKeyProof(
  privateKey: PrivateKey,
  input: { publicUrl: string; signedAt: number },
  crypto?: CryptoProvider,
): Promise<KeyProof> {
  const provider = cryptoOption(crypto, getDefaultCrypto); // null: the default; a non-provider: INVALID_ARGUMENT
  // A public key (the pair's other half) or a key-shaped object is refused here, not as another key at signing.
  if (!isPrivateKey(privateKey) || privateKey.type !== 'Ed25519') {
    throw new VouchError('INVALID_ARGUMENT', 'A key proof needs an Ed25519 private key.');
  }
  if (typeof input !== 'object' || input === null) {
    throw new VouchError('INVALID_ARGUMENT', 'signKeyProof needs an input with publicUrl and signedAt.');
  }
  const { publicUrl, signedAt } = input;
  if (typeof publicUrl !== 'string' || publicUrl === '') {
    throw new VouchError('INVALID_ARGUMENT', "publicUrl must be the server's public URL.");
  }
  if (!Number.isSafeInteger(signedAt) || signedAt < 0) {
    throw new VouchError('INVALID_ARGUMENT', 'signedAt must be milliseconds since the epoch.');
  }
  const statement = registrationStatement(publicUrl, formatPublicKey(privateKey.publicKey, 'base64'), signedAt);
  const signature = await provider.sign('EdDSA', privateKey, encodeUtf8(statement));
  return { signedAt, signature: encodeBase64(signature) };
}
