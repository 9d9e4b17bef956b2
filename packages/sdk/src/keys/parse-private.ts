import { createECDH, createPrivateKey, type KeyObject } from 'node:crypto';
import { VouchError } from '../errors.ts';
import { decodeBase64url } from '../encoding/base64url.ts';
import { parseStrict } from '../json/parse-strict.ts';
import { bytesEqual, concatBytes } from '../lib/bytes.ts';
import { decodePem, looksLikePem } from '../lib/pem.ts';
import { ecCurveOf, isSingleDerElement, tlvAt } from './der.ts';
import { isKeyType, newPrivateKey, newPublicKey, publicKeyBytes, type KeyType, type PrivateKey } from './key.ts';
import {
  buffer,
  checkInputLength,
  isPlainObject,
  jwkBytes,
  jwkKeyType,
  jwkPublicBytes,
  keyTypeOf,
  publicBytesOf,
} from './node-keys.ts';
import type { ParseKeyOptions } from './parse-public.ts';

/** What `parsePrivateKey` accepts: PKCS#8 PEM text, a private JWK (object or JSON text), or PKCS#8 DER bytes. */
export type PrivateKeyInput = string | Uint8Array | { readonly [member: string]: unknown };

// PKCS#8 PrivateKeyInfo for Ed25519 (RFC 8410 §7) = this header followed by the 32-byte seed.
const ED25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

function fromKeyObject(handle: KeyObject): PrivateKey {
  const type = keyTypeOf(handle);
  // Only d is kept: a public key embedded in the PKCS#8/SEC1 structure may not match it, so it is re-derived.
  return privateKeyFromRaw(type, decodeBase64url(handle.export({ format: 'jwk' }).d!));
}

function fromPkcs8(der: Uint8Array): PrivateKey {
  checkInputLength(der.length);
  let handle;
  try {
    handle = createPrivateKey({ key: buffer(der), format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw new VouchError('INVALID_KEY', 'The bytes are not a valid unencrypted PKCS#8 private key.', { cause: err });
  }
  // OpenSSL reads BER: bytes after the PrivateKeyInfo (junk, a second key) and long-form lengths are refused here,
  // as parsePublicKey refuses any SPKI but the canonical one.
  if (!isSingleDerElement(der)) {
    throw new VouchError('INVALID_KEY', 'The PKCS#8 private key is not DER (bytes after it, or a non-minimal length).');
  }
  return handle.asymmetricKeyType === 'ec' ? fromEcPkcs8(der) : fromKeyObject(handle);
}

/**
 * A P-256 key from PKCS#8 DER that OpenSSL has parsed, read from the DER itself: node:crypto aborts the process (a
 * failed assertion, not an exception) when asked for the details or the JWK of an EC key OpenSSL cannot convert to
 * its legacy form (a scalar wider than the curve, an embedded public point at infinity), so OpenSSL is never asked.
 * PrivateKeyInfo { version, AlgorithmIdentifier, OCTET STRING { ECPrivateKey { version, OCTET STRING d, ... } } }
 * (RFC 5208 §5, RFC 5915 §3). Only d is kept, as in fromKeyObject; explicit curve parameters are refused, as RFC 5480
 * §2.1.1 forbids them and as parsePublicKey refuses them.
 */
function fromEcPkcs8(der: Uint8Array): PrivateKey {
  const outer = tlvAt(der, 0, der.length);
  const version = outer && tlvAt(der, outer.start, outer.end);
  const alg = version && tlvAt(der, version.end, outer!.end);
  const curve = alg && ecCurveOf(der, alg);
  if (curve === 'other') throw new VouchError('WRONG_CURVE', 'The EC key is not on the P-256 curve.');
  if (curve === undefined) {
    throw new VouchError('INVALID_KEY', 'The EC private key does not name its curve (explicit parameters).');
  }
  const wrapped = tlvAt(der, alg!.end, outer!.end);
  const ecKey = wrapped && tlvAt(der, wrapped.start, wrapped.end);
  const ecVersion = ecKey && tlvAt(der, ecKey.start, ecKey.end);
  const d = ecVersion && tlvAt(der, ecVersion.end, ecKey!.end);
  if (d === undefined || d.tag !== 0x04) {
    throw new VouchError('INVALID_KEY', 'The bytes are not a valid unencrypted PKCS#8 private key.');
  }
  let from = d.start;
  while (from < d.end && der[from] === 0) from++;
  if (d.end - from > 32) throw new VouchError('INVALID_KEY', 'The P-256 private scalar is out of range.');
  const scalar = new Uint8Array(32);
  scalar.set(der.subarray(from, d.end), 32 - (d.end - from));
  return privateKeyFromRaw('P-256', scalar);
}

function fromJwk(jwk: { readonly [member: string]: unknown }): PrivateKey {
  const type = jwkKeyType(jwk);
  const key = privateKeyFromRaw(type, jwkBytes(jwk, 'd', 32));
  // OpenSSL ignores or trusts x/y next to d; a JWK whose public half belongs to another key is refused.
  const claimed = jwkPublicBytes(jwk, type);
  if (!bytesEqual(claimed, publicKeyBytes(key.publicKey))) {
    throw new VouchError('INVALID_KEY', 'The JWK public members do not belong to its private key.');
  }
  return key;
}

function fromText(text: string): PrivateKey {
  checkInputLength(text.length);
  if (looksLikePem(text)) {
    const { label, der } = decodePem(text);
    if (label === 'PRIVATE KEY') return fromPkcs8(der);
    if (label === 'PUBLIC KEY') throw new VouchError('INVALID_KEY', 'Expected a private key but got a public key PEM.');
    throw new VouchError('UNSUPPORTED_KEY_FORMAT', 'Only unencrypted PKCS#8 ("PRIVATE KEY") PEM is supported.');
  }
  if (text.startsWith('{')) {
    const jwk = parseStrict(text);
    if (!isPlainObject(jwk)) throw new VouchError('INVALID_KEY', 'The JSON text is not a JWK object.');
    return fromJwk(jwk);
  }
  throw new VouchError('INVALID_KEY', 'The text is not a recognized private key (PKCS#8 PEM or JWK).');
}

/**
 * Parses a private key: PKCS#8 PEM (`PRIVATE KEY`), PKCS#8 DER bytes, or a private JWK (`d` plus the public
 * members, which must match `d`). Ed25519 and P-256 only (a P-256 key names its curve: explicit parameters are
 * refused). Error codes as for `parsePublicKey`; messages never include key material.
 *
 * @example
 * ```ts
 * const key = parsePrivateKey(fs.readFileSync('key.pem', 'utf8'), { type: 'P-256' });
 * key.publicKey; // its PublicKey
 * ```
 */
export function parsePrivateKey(input: PrivateKeyInput, options: ParseKeyOptions = {}): PrivateKey {
  const type = options?.type; // null options: the defaults
  if (type !== undefined && !isKeyType(type)) {
    throw new VouchError('INVALID_ARGUMENT', 'The expected key type must be Ed25519 or P-256.');
  }
  let key: PrivateKey;
  if (typeof input === 'string') key = fromText(input);
  else if (input instanceof Uint8Array) key = fromPkcs8(input);
  else if (isPlainObject(input)) key = fromJwk(input);
  else throw new VouchError('INVALID_KEY', 'Expected a private key as PEM text, JWK object or PKCS#8 DER bytes.');
  if (type !== undefined && key.type !== type) {
    throw new VouchError('WRONG_CURVE', `Expected a ${type} key but got a ${key.type} key.`);
  }
  return key;
}

/**
 * Builds a private key from its raw secret: the 32-byte Ed25519 seed (RFC 8032 "secret key") or the 32-byte P-256
 * scalar `d` (in `[1, n-1]`). The public key is derived.
 *
 * @example
 * ```ts
 * const key = privateKeyFromRaw('Ed25519', decodeHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'));
 * ```
 */
export function privateKeyFromRaw(type: KeyType, d: Uint8Array): PrivateKey {
  if (!(d instanceof Uint8Array)) throw new VouchError('INVALID_ARGUMENT', 'The raw key must be a Uint8Array.');
  if (type !== 'Ed25519' && type !== 'P-256') {
    throw new VouchError('UNSUPPORTED_KEY_TYPE', 'The key type is not supported (use Ed25519 or P-256).');
  }
  if (d.length !== 32)
    throw new VouchError('INVALID_KEY_LENGTH', `A ${type} private key is 32 bytes, not ${d.length}.`);
  if (type === 'Ed25519') {
    const handle = createPrivateKey({
      key: buffer(concatBytes(ED25519_PKCS8_PREFIX, d)),
      format: 'der',
      type: 'pkcs8',
    });
    return newPrivateKey(type, d, newPublicKey(type, publicBytesOf(handle, type)));
  }
  const ecdh = createECDH('prime256v1');
  try {
    ecdh.setPrivateKey(buffer(d));
  } catch (err) {
    throw new VouchError('INVALID_KEY', 'The P-256 private scalar is out of range.', { cause: err });
  }
  return newPrivateKey(type, d, newPublicKey(type, new Uint8Array(ecdh.getPublicKey())));
}
