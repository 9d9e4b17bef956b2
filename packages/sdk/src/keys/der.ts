// Fixed DER prefixes of SubjectPublicKeyInfo for the two key types (RFC 8410 §4, RFC 5480 §2): for a given
// algorithm the SPKI encoding is the same header followed by the key bytes.
import { concatBytes } from '../lib/bytes.ts';
import type { KeyType } from './key.ts';

// SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (33 bytes: 0 unused bits + 32-byte key) }
const ED25519_SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);
// SEQUENCE { SEQUENCE { OID ecPublicKey, OID prime256v1 }, BIT STRING (66 bytes: 0 unused bits + 65-byte point) }
const P256_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
  0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
]);

/** Internal: SPKI DER for stored public bytes. */
export function spkiFromBytes(type: KeyType, raw: Uint8Array): Uint8Array {
  return concatBytes(type === 'Ed25519' ? ED25519_SPKI_PREFIX : P256_SPKI_PREFIX, raw);
}

/** Internal: `der` is exactly the SPKI that `spkiFromBytes` writes for a key of `type` (any key bytes). */
export function hasSpkiForm(type: KeyType, der: Uint8Array): boolean {
  const prefix = type === 'Ed25519' ? ED25519_SPKI_PREFIX : P256_SPKI_PREFIX;
  if (der.length !== prefix.length + (type === 'Ed25519' ? 32 : 65)) return false;
  for (let i = 0; i < prefix.length; i++) if (der[i] !== prefix[i]) return false;
  return true;
}

/** Internal: a DER element, by its tag and the bounds of its contents. */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Internal: the element at `at` if it lies within `[at, limit)` (one-byte tags, definite lengths of up to 4 bytes),
 * else undefined. It locates fields of DER that OpenSSL has already parsed; it validates nothing else.
 */
export function tlvAt(der: Uint8Array, at: number, limit: number): Tlv | undefined {
  if (at + 2 > limit) return undefined;
  let start = at + 2;
  let length = der[at + 1]!;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[start + i]!;
    start += n;
  }
  return start + length <= limit ? { tag: der[at]!, start, end: start + length } : undefined;
}

// OBJECT IDENTIFIER prime256v1 (1.2.840.10045.3.1.7), tag and length included.
const P256_CURVE_OID = P256_SPKI_PREFIX.subarray(13, 23);

/**
 * Internal: the curve an EC AlgorithmIdentifier (`SEQUENCE { id-ecPublicKey, parameters }`, the element `alg`) names:
 * P-256, another named curve, or none (explicit parameters, or not found).
 */
export function ecCurveOf(der: Uint8Array, alg: Tlv): 'P-256' | 'other' | undefined {
  const oid = tlvAt(der, alg.start, alg.end);
  const params = oid && tlvAt(der, oid.end, alg.end);
  if (params === undefined || params.tag !== 0x06) return undefined;
  const named = der.subarray(oid!.end, params.end);
  return named.length === P256_CURVE_OID.length && named.every((b, i) => b === P256_CURVE_OID[i]) ? 'P-256' : 'other';
}

/**
 * Internal: the end of the DER element at `at` (within `limit`), its constructed elements walked, or -1 when it is
 * not DER: an indefinite, over-long (more than 4 bytes) or non-minimal length, a multi-byte tag, or contents that do
 * not fill a constructed element exactly. Primitive contents (an OCTET STRING's wrapped key) are not looked into.
 */
function derEnd(der: Uint8Array, at: number, limit: number): number {
  if (at + 2 > limit || (der[at]! & 0x1f) === 0x1f) return -1;
  let start = at + 2;
  let length = der[at + 1]!;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || start + n > limit || der[start] === 0) return -1;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[start + i]!;
    if (length < 0x80) return -1;
    start += n;
  }
  const end = start + length;
  if (end > limit) return -1;
  if (der[at]! & 0x20) {
    for (let child = start; child < end;) {
      child = derEnd(der, child, end);
      if (child < 0) return -1;
    }
  }
  return end;
}

/** Internal: `der` is exactly one element in DER (minimal definite lengths throughout), with nothing after it. */
export function isSingleDerElement(der: Uint8Array): boolean {
  return derEnd(der, 0, der.length) === der.length;
}
