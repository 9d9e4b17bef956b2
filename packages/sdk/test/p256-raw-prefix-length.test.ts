// publicKeyFromRaw('P-256', ...) takes 33 bytes only as a compressed point (prefix 02 or 03) and 65 only as an
// uncompressed one (04): 33 bytes with any other prefix are INVALID_KEY_LENGTH, like 65 bytes with a prefix other
// than 04. No test held the prefix check on the 33-byte form (it passed with `raw.length === 33` alone, which gave
// INVALID_KEY from OpenSSL instead).
import { test } from 'node:test';
import { publicKeyFromRaw } from '../src/index.ts';
import { throwsCode } from './vectors.ts';

test('33 bytes with a prefix other than 02 or 03 are not a P-256 point: INVALID_KEY_LENGTH', () => {
  const x = '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296'; // the generator's x
  publicKeyFromRaw('P-256', Uint8Array.from(Buffer.from('03' + x, 'hex')));
  for (const prefix of ['00', '01', '04', '06', '07', 'ff']) {
    throwsCode(
      () => publicKeyFromRaw('P-256', Uint8Array.from(Buffer.from(prefix + x, 'hex'))),
      'INVALID_KEY_LENGTH',
      prefix,
    );
  }
});
