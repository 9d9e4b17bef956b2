// EC keys that OpenSSL loads but cannot convert to its legacy EC_KEY: a public point at infinity, a private scalar
// wider than the curve. node:crypto aborts the whole process (a failed C++ assertion, no exception) when asked for
// such a key's asymmetricKeyDetails or its JWK, so parsing one of them from text or bytes that came from outside
// (a registration's PEM, a key file) took the process down. Each must be a coded VouchError instead. If the fix
// regresses, this file's process aborts and the runner reports the file as failed.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { encodeBase64, formatPrivateKey, generateKeyPair, parsePrivateKey, parsePublicKey } from '../src/index.ts';
import { throwsCode } from './vectors.ts';

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 128 ? [n] : [0x81, n];
  return Uint8Array.from([tag, ...len, ...body]);
}
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const pem = (label: string, der: Uint8Array): string =>
  `-----BEGIN ${label}-----\n${encodeBase64(der)}\n-----END ${label}-----\n`;

const EC_PUBLIC_KEY = hex('06072a8648ce3d0201');
const CURVES = {
  'P-256': hex('06082a8648ce3d030107'),
  'P-384': hex('06052b81040022'),
  secp256k1: hex('06052b8104000a'),
};
const P256_N = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';

/** SPKI of an EC key on `curve` whose point is the single byte 0x00: the point at infinity (SEC 1 §2.3.3). */
function infinitySpki(curve: Uint8Array): Uint8Array {
  return tlv(0x30, tlv(0x30, EC_PUBLIC_KEY, curve), tlv(0x03, Uint8Array.of(0, 0)));
}

/** PKCS#8 of a P-256 key (RFC 5915 ECPrivateKey) with the private key octets `d` and, if given, the public point. */
function p256Pkcs8(d: Uint8Array, point?: Uint8Array): Uint8Array {
  const pub = point === undefined ? [] : [tlv(0xa1, tlv(0x03, Uint8Array.of(0), point))];
  const ecKey = tlv(0x30, tlv(0x02, Uint8Array.of(1)), tlv(0x04, d), ...pub);
  return tlv(0x30, tlv(0x02, Uint8Array.of(0)), tlv(0x30, EC_PUBLIC_KEY, CURVES['P-256']), tlv(0x04, ecKey));
}

test('an EC public key at infinity is refused with a code, as DER and as PEM, whatever type is asked for', () => {
  for (const [name, curve] of Object.entries(CURVES)) {
    const der = infinitySpki(curve);
    const code = name === 'P-256' ? 'INVALID_KEY' : 'WRONG_CURVE';
    throwsCode(() => parsePublicKey(der), code, `${name} DER`);
    throwsCode(() => parsePublicKey(pem('PUBLIC KEY', der)), code, `${name} PEM`);
    // As a server reads a registration's key: the type is checked after the parse.
    throwsCode(() => parsePublicKey(pem('PUBLIC KEY', der), { type: 'Ed25519' }), code, `${name} PEM as Ed25519`);
  }
});

test('a P-256 PKCS#8 key with a scalar wider than 32 bytes, zero, or n is refused with INVALID_KEY', () => {
  for (const [label, d] of [
    ['33 bytes, 1 ‖ n', hex('01' + P256_N)],
    ['64 bytes of ff', new Uint8Array(64).fill(0xff)],
    ['zero', new Uint8Array(32)],
    ['empty', new Uint8Array(0)],
    ['n', hex(P256_N)],
  ] as const) {
    throwsCode(() => parsePrivateKey(p256Pkcs8(d)), 'INVALID_KEY', label);
    throwsCode(() => parsePrivateKey(pem('PRIVATE KEY', p256Pkcs8(d))), 'INVALID_KEY', `${label} PEM`);
  }
});

test('a P-256 PKCS#8 key whose embedded public point is at infinity: its scalar is read, its point re-derived', () => {
  const key = parsePrivateKey(p256Pkcs8(hex('00'.repeat(31) + '01'), Uint8Array.of(0)));
  assert.equal(key.type, 'P-256');
  const g = '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296';
  assert.equal(Buffer.from(formatPrivateKey(key, 'jwk').x, 'base64url').toString('hex'), g);
});

test('ordinary P-256 PKCS#8 keys still parse: as exported, without the public point, with a short scalar', async () => {
  const pair = await generateKeyPair('P-256');
  const der = formatPrivateKey(pair.privateKey, 'der');
  const d = formatPrivateKey(pair.privateKey, 'raw');
  for (const input of [der, pair.privatePem, p256Pkcs8(d)]) {
    assert.deepEqual(formatPrivateKey(parsePrivateKey(input, { type: 'P-256' }), 'jwk'), pair.privateJwk);
  }
  // A scalar written with a leading zero byte (33 bytes, as an INTEGER-minded encoder does) is the same scalar.
  const padded = parsePrivateKey(p256Pkcs8(Uint8Array.from([0, ...d])), { type: 'P-256' });
  assert.deepEqual(formatPrivateKey(padded, 'jwk'), pair.privateJwk);
  const five = parsePrivateKey(p256Pkcs8(Uint8Array.of(5)));
  assert.deepEqual(formatPrivateKey(five, 'raw'), hex('00'.repeat(31) + '05'));
});

test('EC keys of other curves are WRONG_CURVE; explicit curve parameters are refused, public or private', () => {
  for (const namedCurve of ['P-384', 'secp256k1']) {
    const other = generateKeyPairSync('ec', { namedCurve });
    throwsCode(() => parsePrivateKey(String(other.privateKey.export({ type: 'pkcs8', format: 'pem' }))), 'WRONG_CURVE');
    throwsCode(() => parsePublicKey(String(other.publicKey.export({ type: 'spki', format: 'pem' }))), 'WRONG_CURVE');
  }
  // RFC 5480 §2.1.1: specifiedCurve MUST NOT be used. The same P-256 key with its parameters spelt out.
  const explicit = generateKeyPairSync('ec', { namedCurve: 'P-256', paramEncoding: 'explicit' });
  throwsCode(
    () => parsePrivateKey(String(explicit.privateKey.export({ type: 'pkcs8', format: 'pem' }))),
    'INVALID_KEY',
  );
  throwsCode(() => parsePublicKey(String(explicit.publicKey.export({ type: 'spki', format: 'pem' }))), 'INVALID_KEY');
});
