// parsePrivateKey took PKCS#8 that is not DER: bytes after the PrivateKeyInfo (a key file with junk appended, two
// keys concatenated: the first was used) and lengths in long form where DER requires the short one. OpenSSL reads
// both, as it reads BER; parsePublicKey already refuses anything but canonical SPKI. Each is now INVALID_KEY, as
// DER bytes and as PEM, for Ed25519 and P-256; the form node:crypto writes still parses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeBase64, formatPrivateKey, formatPublicKey, generateKeyPair } from '../src/index.ts';
import { parsePrivateKey } from '../src/index.ts';
import { throwsCode } from './vectors.ts';

const pem = (der: Uint8Array): string =>
  `-----BEGIN PRIVATE KEY-----\n${encodeBase64(der)}\n-----END PRIVATE KEY-----\n`;

/** The element at the start of `der` (short-form length) with its length rewritten in the long form `0x81 n`. */
function longFormAt(der: Uint8Array, at: number): Uint8Array {
  assert.ok(der[at + 1]! < 0x80, 'a short-form length to rewrite');
  return Uint8Array.from([...der.subarray(0, at + 1), 0x81, ...der.subarray(at + 1)]);
}

/** `der` with one more byte in the outer SEQUENCE's length, so the outer length is still right. */
function fixOuter(der: Uint8Array, grownBy: number): Uint8Array {
  const out = Uint8Array.from(der);
  if (out[1]! < 0x80) out[1] = out[1]! + grownBy;
  else out[out[1] === 0x81 ? 2 : 3] += grownBy;
  return out;
}

for (const type of ['Ed25519', 'P-256'] as const) {
  test(`${type}: PKCS#8 that is not DER is refused with INVALID_KEY`, async () => {
    const pair = await generateKeyPair(type);
    const der = formatPrivateKey(pair.privateKey, 'der');
    const other = formatPrivateKey((await generateKeyPair(type)).privateKey, 'der');
    const bad: Array<[string, Uint8Array]> = [
      ['a trailing zero byte', Uint8Array.from([...der, 0])],
      ['a second key after it', Uint8Array.from([...der, ...other])],
      [
        'the outer length in long form',
        der[1]! < 0x80 ? longFormAt(der, 0) : Uint8Array.from([0x30, 0x82, 0, ...der.subarray(2)]),
      ],
      // The AlgorithmIdentifier SEQUENCE (after version 02 01 00) with its length in long form.
      ['an inner length in long form', fixOuter(longFormAt(der, der[1]! < 0x80 ? 5 : 6), 1)],
    ];
    for (const [label, bytes] of bad) {
      throwsCode(() => parsePrivateKey(bytes), 'INVALID_KEY', `${label} (DER)`);
      throwsCode(() => parsePrivateKey(pem(bytes)), 'INVALID_KEY', `${label} (PEM)`);
    }
    // The canonical form still parses, to the same key.
    const back = parsePrivateKey(der);
    assert.equal(formatPublicKey(back.publicKey, 'pem'), pair.publicPem);
    assert.equal(formatPublicKey(parsePrivateKey(pair.privatePem).publicKey, 'pem'), pair.publicPem);
  });
}
