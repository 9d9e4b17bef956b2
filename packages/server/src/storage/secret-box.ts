import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { StorageError } from './errors.ts';
import { decodeBase64url, encodeBase64url } from '@vouch/sdk';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** Sealed values are small (private keys); anything far larger is refused before decoding. */
const MAX_SEALED_CHARS = 64 * 1024;

function checkKek(kek: Buffer): void {
  if (!Buffer.isBuffer(kek) || kek.length !== KEY_BYTES) {
    throw new StorageError('KEK_INVALID', 'The key-encryption key must be exactly 32 bytes.');
  }
}

/**
 * Encrypts `plaintext` with AES-256-GCM under `kek` and a fresh random 96-bit IV, binding it to `aad` (e.g. the
 * key id of the row it is stored in, so a sealed value copied to another row does not open).
 * Returns `v1.<iv>.<ciphertext>.<tag>`, each part base64url.
 *
 * @example
 * ```ts
 * const sealed = seal(kek, privateKeyDer, kid);
 * ```
 */
export function seal(kek: Buffer, plaintext: Uint8Array, aad: string): string {
  checkKek(kek);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [VERSION, encodeBase64url(iv), encodeBase64url(ct), encodeBase64url(cipher.getAuthTag())].join('.');
}

/**
 * Decrypts a value made by {@link seal}. Throws `StorageError('SEALED_INVALID')` when the value is malformed, was
 * tampered with, was sealed for other `aad`, or under another key (AES-GCM cannot tell these apart).
 *
 * @example
 * ```ts
 * const der = open(kek, row.private_sealed, row.kid);
 * ```
 */
export function open(kek: Buffer, sealed: string, aad: string): Buffer {
  checkKek(kek);
  const invalid = (reason: string, cause?: unknown): StorageError =>
    new StorageError('SEALED_INVALID', `A sealed value ${reason}.`, cause === undefined ? undefined : { cause });
  if (typeof sealed !== 'string' || sealed.length > MAX_SEALED_CHARS) throw invalid('is not a sealed string');
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw invalid(`is not in the ${VERSION} format`);
  const iv = decodeOrUndefined(parts[1] as string);
  const ct = decodeOrUndefined(parts[2] as string);
  const tag = decodeOrUndefined(parts[3] as string);
  if (iv?.length !== IV_BYTES || ct === undefined || tag?.length !== TAG_BYTES) {
    throw invalid(`is not in the ${VERSION} format`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch (err) {
    throw invalid('failed authentication: wrong key-encryption key, wrong binding, or altered data', err);
  }
}

/** Strict base64url, or undefined where the SDK refuses it (the caller reports the format error). */
function decodeOrUndefined(text: string): Buffer | undefined {
  try {
    const bytes = decodeBase64url(text);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch {
    return undefined;
  }
}
