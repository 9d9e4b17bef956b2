// An agent's key rotation (docs/PROTOCOL.md "Agent-signed requests"): the request is signed by the current key, and
// the new key signs a statement naming the agent, both keys and the request's X-Vouch-Signed-At. One definition for
// both sides: the server checks the statement built here.
import { VouchError } from '../errors.ts';
import { encodeBase64 } from '../encoding/base64.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import { cryptoOption } from '../lib/crypto-option.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { isPrivateKey, type PrivateKey } from '../keys/key.ts';
import { formatPublicKey } from '../keys/format.ts';

/**
 * The exact string the new key signs (UTF-8, Ed25519) to accept a rotation:
 * `vouch-rotate-key-v1:<did>:<old key as standard base64>:<new key as standard base64>:<signedAt ms>`, where
 * `signedAt` is the rotation request's `X-Vouch-Signed-At`.
 *
 * @example
 * ```ts
 * keyRotationStatement(did, oldKeyBase64, newKeyBase64, 1767225600000);
 * ```
 */
export function keyRotationStatement(
  did: string,
  oldKeyBase64: string,
  newKeyBase64: string,
  signedAt: number,
): string {
  // No checks here: the server builds the statement to verify from whatever it was sent.
  return `vouch-rotate-key-v1:${did}:${oldKeyBase64}:${newKeyBase64}:${signedAt}`;
}

/**
 * Signs {@link keyRotationStatement} with the new key: the `newKeySignature` (standard base64) of a rotation whose
 * request is signed at `signedAt` (pass the same `signedAt` to `agents.rotateKey`).
 *
 * @example
 * ```ts
 * const signedAt = client.http.now();
 * const newKeySignature = await signKeyRotation(next.privateKey, { did, oldKeyBase64, signedAt });
 * const newPublicKey = formatPublicKey(next.publicKey, 'base64');
 * await asAgent.agents.rotateKey(did, { newPublicKey, newKeySignature, signedAt });
 * ```
 */
export async function signKeyRotation(
  newPrivateKey: PrivateKey,
  input: { did: string; oldKeyBase64: string; signedAt: number },
  crypto?: CryptoProvider,
): Promise<string> {
  const provider = cryptoOption(crypto, getDefaultCrypto); // null: the default; a non-provider: INVALID_ARGUMENT
  if (!isPrivateKey(newPrivateKey) || newPrivateKey.type !== 'Ed25519') {
    throw new VouchError('INVALID_ARGUMENT', 'A key rotation needs an Ed25519 private key.');
  }
  if (typeof input !== 'object' || input === null) {
    throw new VouchError('INVALID_ARGUMENT', 'signKeyRotation needs an input with did, oldKeyBase64 and signedAt.');
  }
  // Unchecked, a missing member would be signed as the text "undefined": a statement naming no agent or no key.
  if (typeof input.did !== 'string' || input.did === '') {
    throw new VouchError('INVALID_ARGUMENT', "did must be the agent's DID.");
  }
  if (typeof input.oldKeyBase64 !== 'string' || input.oldKeyBase64 === '') {
    throw new VouchError('INVALID_ARGUMENT', 'oldKeyBase64 must be the current key as standard base64.');
  }
  if (!Number.isSafeInteger(input.signedAt) || input.signedAt < 0) {
    throw new VouchError('INVALID_ARGUMENT', 'signedAt must be milliseconds since the epoch.');
  }
  const statement = keyRotationStatement(
    input.did,
    input.oldKeyBase64,
    formatPublicKey(newPrivateKey.publicKey, 'base64'),
    input.signedAt,
  );
  return encodeBase64(await provider.sign('EdDSA', newPrivateKey, encodeUtf8(statement)));
}
