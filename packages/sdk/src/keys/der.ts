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
