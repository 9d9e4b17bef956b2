// Internal helpers shared by the public and private key parsers: what OpenSSL says a key is, and the JWK
// member checks. Node-only (node:crypto's parsers validate DER and curve points).
import { ECDH, createPublicKey, type KeyObject } from 'node:crypto';
import { VouchError } from '../errors.ts';
import { decodeBase64url } from '../encoding/base64url.ts';
import { concatBytes } from '../lib/bytes.ts';
import type { KeyType } from './key.ts';

/** Longest text or DER accepted as a key: real keys are < 1 KiB; this keeps junk from reaching OpenSSL. */
export const MAX_KEY_INPUT_LENGTH = 16384;

export function buffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function checkInputLength(length: number): void {
  if (length > MAX_KEY_INPUT_LENGTH) {
    throw new VouchError('INVALID_KEY', `The key input is longer than ${MAX_KEY_INPUT_LENGTH} characters or bytes.`);
  }
}

const OTHER_CURVES: Record<string, string> = { x25519: 'X25519', x448: 'X448', ed448: 'Ed448' };

/** Maps an OpenSSL key to a Vouch key type, or throws the stable code for what it is instead. */
export function keyTypeOf(key: KeyObject): KeyType {
  const t = key.asymmetricKeyType;
  if (t === 'ed25519') return 'Ed25519';
  if (t === 'ec') {
    if (key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'P-256';
    throw new VouchError('WRONG_CURVE', 'The EC key is not on the P-256 curve.');
  }
  const other = t === undefined ? undefined : OTHER_CURVES[t];
  if (other !== undefined) throw new VouchError('WRONG_CURVE', `The key is an ${other} key, not Ed25519 or P-256.`);
  throw new VouchError('UNSUPPORTED_KEY_TYPE', 'The key type is not supported (use Ed25519 or P-256).');
}

/** The raw public bytes (Ed25519: 32; P-256: 0x04 ‖ x ‖ y) of a public or private OpenSSL key. */
export function publicBytesOf(key: KeyObject, type: KeyType): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  return type === 'Ed25519'
    ? decodeBase64url(jwk.x!)
    : concatBytes(Uint8Array.of(4), decodeBase64url(jwk.x!), decodeBase64url(jwk.y!));
}

export function checkEd25519Length(raw: Uint8Array): void {
  if (raw.length !== 32) {
    throw new VouchError('INVALID_KEY_LENGTH', `An Ed25519 public key is 32 bytes, not ${raw.length}.`);
  }
}

/** Validates a P-256 point (65-byte uncompressed or 33-byte compressed) and returns it uncompressed. */
export function p256Point(raw: Uint8Array): Uint8Array {
  const compressed = raw.length === 33 && (raw[0] === 2 || raw[0] === 3);
  if (!compressed && !(raw.length === 65 && raw[0] === 4)) {
    throw new VouchError(
      'INVALID_KEY_LENGTH',
      'A P-256 public key is a 65-byte uncompressed or 33-byte compressed point.',
    );
  }
  try {
    if (compressed)
      return new Uint8Array(ECDH.convertKey(buffer(raw), 'prime256v1', undefined, undefined, 'uncompressed') as Buffer);
    // createPublicKey rejects points that are not on the curve.
    createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(raw, 1, 33), y: b64u(raw, 33, 65) }, format: 'jwk' });
    return raw;
  } catch (err) {
    throw new VouchError('INVALID_KEY', 'The point is not on the P-256 curve.', { cause: err });
  }
}

function b64u(raw: Uint8Array, from: number, to: number): string {
  return buffer(raw.subarray(from, to)).toString('base64url');
}

type Jwk = Record<string, unknown>;

/**
 * Checks `kty`, `crv`, `alg` and `use` of a JWK and returns the key type. Unknown values are not echoed
 * in messages (they come from outside).
 */
export function jwkKeyType(jwk: Jwk): KeyType {
  const { kty, crv, alg, use } = jwk;
  if (typeof kty !== 'string') throw new VouchError('INVALID_KEY', 'The JWK has no "kty" string member.');
  let type: KeyType;
  if (kty === 'OKP') {
    if (crv !== 'Ed25519') throw new VouchError('WRONG_CURVE', 'The OKP JWK is not an Ed25519 key ("crv").');
    type = 'Ed25519';
    if (alg !== undefined && alg !== 'EdDSA' && alg !== 'Ed25519') {
      throw new VouchError('KEY_ALGORITHM_MISMATCH', 'The Ed25519 JWK names an algorithm other than EdDSA.');
    }
  } else if (kty === 'EC') {
    if (crv !== 'P-256') throw new VouchError('WRONG_CURVE', 'The EC JWK is not a P-256 key ("crv").');
    type = 'P-256';
    if (alg !== undefined && alg !== 'ES256') {
      throw new VouchError('KEY_ALGORITHM_MISMATCH', 'The P-256 JWK names an algorithm other than ES256.');
    }
  } else {
    throw new VouchError('UNSUPPORTED_KEY_TYPE', 'The JWK key type is not supported (use OKP Ed25519 or EC P-256).');
  }
  if (use !== undefined && use !== 'sig') {
    throw new VouchError('INVALID_KEY', 'The JWK is not meant for signatures ("use" is not "sig").');
  }
  return type;
}

/** A base64url JWK member of an exact byte length. */
export function jwkBytes(jwk: Jwk, member: string, length: number): Uint8Array {
  const value = jwk[member];
  if (typeof value !== 'string') {
    throw new VouchError('INVALID_KEY', `The JWK member "${member}" is missing or not a string.`);
  }
  const bytes = decodeBase64url(value);
  if (bytes.length !== length) {
    throw new VouchError(
      'INVALID_KEY_LENGTH',
      `The JWK member "${member}" must be ${length} bytes, not ${bytes.length}.`,
    );
  }
  return bytes;
}

/** The public bytes named by a JWK's `x` (and `y`), validated. */
export function jwkPublicBytes(jwk: Jwk, type: KeyType): Uint8Array {
  if (type === 'Ed25519') return jwkBytes(jwk, 'x', 32);
  return p256Point(concatBytes(Uint8Array.of(4), jwkBytes(jwk, 'x', 32), jwkBytes(jwk, 'y', 32)));
}

export function isPlainObject(value: unknown): value is Jwk {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
