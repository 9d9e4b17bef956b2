// Internal: the Ed25519 public key encodings no signature check can be trusted with.
// - Small order: OpenSSL verifies without the cofactor, so for a key A in the 8-point torsion subgroup the fixed
//   signature R = identity, S = 0 passes whenever [k]A is the identity: for every message when A is the identity,
//   for one message in 2, 4 or 8 otherwise. Anyone could sign as such a key.
// - y >= p = 2^255 - 19: RFC 8032 §5.1.3 says decoding fails; OpenSSL reduces y instead, so p and p + 1 are
//   second spellings of small-order points, and others would be second spellings of ordinary keys.
// A few byte comparisons, as it runs on every key parse. No node:* import: browsers use it too.
import { VouchError } from '../errors.ts';

const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16));

// The y coordinates (little-endian, sign bit clear) of the 8 points of order 1, 2, 4 and 8; y = 0 and the two
// order-8 values each stand for two points (x and -x). The sign bit is ignored when comparing: with y = 1 or p - 1
// the point has x = 0, and a set sign bit there is no valid encoding either (RFC 8032 §5.1.3 step 4).
// test/small-order-keys.test.ts derives this set from the curve.
const SMALL_ORDER_Y: readonly Uint8Array[] = [
  hex('0000000000000000000000000000000000000000000000000000000000000000'), // order 4: (±sqrt(-1), 0)
  hex('0100000000000000000000000000000000000000000000000000000000000000'), // order 1: the identity (0, 1)
  hex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'), // order 2: (0, p - 1)
  hex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'), // order 8
  hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'), // order 8
];

/** y >= p: bytes 1..30 are 0xff, byte 31 is 0x7f (sign bit aside) and byte 0 is at least 0xed. */
function nonCanonical(raw: Uint8Array): boolean {
  if ((raw[31]! & 0x7f) !== 0x7f || raw[0]! < 0xed) return false;
  for (let i = 1; i < 31; i++) if (raw[i] !== 0xff) return false;
  return true;
}

function sameY(raw: Uint8Array, y: Uint8Array): boolean {
  if ((raw[31]! & 0x7f) !== y[31]) return false;
  for (let i = 0; i < 31; i++) if (raw[i] !== y[i]) return false;
  return true;
}

/** What is wrong with a 32-byte Ed25519 public key encoding, if it is small-order or non-canonical. */
export function ed25519KeyProblem(raw: Uint8Array): 'small-order' | 'non-canonical' | undefined {
  if (nonCanonical(raw)) return 'non-canonical';
  for (const y of SMALL_ORDER_Y) if (sameY(raw, y)) return 'small-order';
  return undefined;
}

/** Throws `INVALID_KEY` for a small-order or non-canonical 32-byte Ed25519 public key encoding. */
export function checkEd25519Point(raw: Uint8Array): void {
  const problem = ed25519KeyProblem(raw);
  if (problem === 'small-order') {
    throw new VouchError(
      'INVALID_KEY',
      'The Ed25519 public key is a point of small order: signatures for it can be forged.',
    );
  }
  if (problem === 'non-canonical') {
    throw new VouchError(
      'INVALID_KEY',
      'The Ed25519 public key is not canonically encoded (y is not below 2^255 - 19).',
    );
  }
}
