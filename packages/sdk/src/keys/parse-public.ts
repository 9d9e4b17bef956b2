import { createPublicKey } from 'node:crypto';
import { VouchError } from '../errors.ts';
import { decodeBase64 } from '../encoding/base64.ts';
import { decodeBase64url } from '../encoding/base64url.ts';
import { parseStrict } from '../json/parse-strict.ts';
import { bytesEqual } from '../lib/bytes.ts';
import { decodePem, looksLikePem } from '../lib/pem.ts';
import { ecCurveOf, hasSpkiForm, spkiFromBytes, tlvAt } from './der.ts';
import { isKeyType, newPublicKey, type KeyType, type PublicKey } from './key.ts';
import {
  buffer,
  checkEd25519Length,
  checkInputLength,
  isPlainObject,
  jwkKeyType,
  jwkPublicBytes,
  keyTypeOf,
  p256Point,
  publicBytesOf,
} from './node-keys.ts';

/** The registry form of an Ed25519 public key is this prefix followed by the base64url key bytes. */
export const ED25519_REGISTRY_PREFIX = 'ed25519:';

/**
 * What `parsePublicKey` accepts: text (`ed25519:<base64url>`, standard base64 of 32 bytes, PEM `PUBLIC KEY`, or a
 * JWK as JSON text), a JWK object, or SPKI DER bytes.
 */
export type PublicKeyInput = string | Uint8Array | { readonly [member: string]: unknown };

export interface ParseKeyOptions {
  /** Require this key type; a key of the other type throws `WRONG_CURVE`. */
  type?: KeyType;
}

const STANDARD_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function fromSpki(der: Uint8Array): PublicKey {
  checkInputLength(der.length);
  let handle;
  try {
    handle = createPublicKey({ key: buffer(der), format: 'der', type: 'spki' });
  } catch (err) {
    throw new VouchError('INVALID_KEY', 'The bytes are not a valid SubjectPublicKeyInfo public key.', { cause: err });
  }
  // node:crypto aborts the process (a failed assertion, not an exception) when asked for the details or the JWK of
  // an EC key OpenSSL cannot convert to its legacy form, such as a point at infinity: of EC keys, only the canonical
  // P-256 form (an uncompressed point OpenSSL found on the curve) is read back from OpenSSL.
  if (handle.asymmetricKeyType === 'ec' && !hasSpkiForm('P-256', der)) refuseEcSpki(der);
  const type = keyTypeOf(handle);
  const raw = publicBytesOf(handle, type);
  // DER has one encoding per key: anything else (trailing bytes, compressed or explicit-curve EC) is refused
  // so that equal keys always have equal bytes.
  if (!bytesEqual(spkiFromBytes(type, raw), der)) {
    throw new VouchError('INVALID_KEY', 'The SubjectPublicKeyInfo is not in canonical form.');
  }
  return newPublicKey(type, raw);
}

/** Refuses an EC SubjectPublicKeyInfo not in canonical P-256 form by what its AlgorithmIdentifier names. */
function refuseEcSpki(der: Uint8Array): never {
  const outer = tlvAt(der, 0, der.length);
  const alg = outer && tlvAt(der, outer.start, outer.end);
  if (alg !== undefined && ecCurveOf(der, alg) === 'other') {
    throw new VouchError('WRONG_CURVE', 'The EC key is not on the P-256 curve.');
  }
  throw new VouchError('INVALID_KEY', 'The SubjectPublicKeyInfo is not in canonical form.');
}

function fromJwk(jwk: { readonly [member: string]: unknown }): PublicKey {
  const type = jwkKeyType(jwk);
  if (jwk.d !== undefined) {
    throw new VouchError('INVALID_KEY', 'The JWK holds a private key ("d"); pass only its public members.');
  }
  return newPublicKey(type, jwkPublicBytes(jwk, type));
}

function fromText(text: string): PublicKey {
  checkInputLength(text.length);
  if (text.startsWith(ED25519_REGISTRY_PREFIX)) {
    const raw = decodeBase64url(text.slice(ED25519_REGISTRY_PREFIX.length));
    checkEd25519Length(raw);
    return newPublicKey('Ed25519', raw);
  }
  if (looksLikePem(text)) {
    const { label, der } = decodePem(text);
    if (label === 'PUBLIC KEY') return fromSpki(der);
    if (label.endsWith('PRIVATE KEY')) {
      throw new VouchError('INVALID_KEY', 'Expected a public key but got a private key PEM.');
    }
    throw new VouchError('UNSUPPORTED_KEY_FORMAT', 'Only "PUBLIC KEY" (SubjectPublicKeyInfo) PEM is supported.');
  }
  if (text.startsWith('{')) {
    const jwk = parseStrict(text);
    if (!isPlainObject(jwk)) throw new VouchError('INVALID_KEY', 'The JSON text is not a JWK object.');
    return fromJwk(jwk);
  }
  if (STANDARD_BASE64.test(text)) {
    const raw = decodeBase64(text);
    checkEd25519Length(raw);
    return newPublicKey('Ed25519', raw);
  }
  throw new VouchError(
    'INVALID_KEY',
    'The text is not a recognized public key (ed25519:<base64url>, base64, PEM or JWK).',
  );
}

/**
 * Parses a public key in any accepted form and validates it:
 * - `ed25519:<base64url>` (registry form) and standard base64 of the 32 raw bytes (identity.app form): Ed25519;
 * - PEM `PUBLIC KEY` and SPKI DER bytes (canonical DER only): Ed25519 or P-256;
 * - JWK (object or JSON text): `{kty:'OKP',crv:'Ed25519',x}` or `{kty:'EC',crv:'P-256',x,y}`; a JWK with `d` is
 *   refused so that a private key is never handled as public.
 *
 * P-256 points must be on the curve. Ed25519 keys are 32 bytes, and the 8 points of small order and encodings with
 * y >= 2^255 - 19 are refused (`INVALID_KEY`): a forged signature verifies for them. Whether other bytes decode to a
 * curve point is left to verification, as in OpenSSL. Errors: `INVALID_KEY`, `INVALID_KEY_LENGTH`, `WRONG_CURVE`,
 * `UNSUPPORTED_KEY_TYPE`, `UNSUPPORTED_KEY_FORMAT`, `KEY_ALGORITHM_MISMATCH`, and the encoding codes
 * (`INVALID_BASE64URL`, `INVALID_BASE64`, `INVALID_PEM`, JSON codes) of the part that is malformed.
 *
 * @example
 * ```ts
 * const key = parsePublicKey('ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo');
 * key.type; // 'Ed25519'
 * parsePublicKey(jwk, { type: 'P-256' });
 * ```
 */
export function parsePublicKey(input: PublicKeyInput, options: ParseKeyOptions = {}): PublicKey {
  const type = options?.type; // null options: the defaults
  if (type !== undefined && !isKeyType(type)) {
    throw new VouchError('INVALID_ARGUMENT', 'The expected key type must be Ed25519 or P-256.');
  }
  let key: PublicKey;
  if (typeof input === 'string') key = fromText(input);
  else if (input instanceof Uint8Array) key = fromSpki(input);
  else if (isPlainObject(input)) key = fromJwk(input);
  else throw new VouchError('INVALID_KEY', 'Expected a public key as text, JWK object or SPKI DER bytes.');
  if (type !== undefined && key.type !== type) {
    throw new VouchError('WRONG_CURVE', `Expected a ${type} key but got a ${key.type} key.`);
  }
  return key;
}

/**
 * Builds a public key from raw bytes: Ed25519 takes the 32-byte encoded point (refused, as by `parsePublicKey`, if
 * it is of small order or not canonical); P-256 takes a 65-byte uncompressed (`04‖x‖y`) or 33-byte compressed point,
 * which must be on the curve.
 *
 * @example
 * ```ts
 * const key = publicKeyFromRaw('Ed25519', decodeHex('d75a98...511a'));
 * ```
 */
export function publicKeyFromRaw(type: KeyType, raw: Uint8Array): PublicKey {
  if (!(raw instanceof Uint8Array)) throw new VouchError('INVALID_ARGUMENT', 'The raw key must be a Uint8Array.');
  if (type === 'Ed25519') {
    checkEd25519Length(raw);
    return newPublicKey(type, raw);
  }
  if (type === 'P-256') return newPublicKey(type, p256Point(raw));
  throw new VouchError('UNSUPPORTED_KEY_TYPE', 'The key type is not supported (use Ed25519 or P-256).');
}
