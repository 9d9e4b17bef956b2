// Strictness rules of the encoders that no test could tell from a looser rule (found by mutation testing).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBase64, decodeBase64url, decodeHex } from '../src/index.ts';
import { throwsCode } from './vectors.ts';

test('decodeHex refuses characters past U+007F whose low seven bits spell a hex digit', () => {
  // Looking the table up with `code & 127` instead of refusing codes from 128 up read U+00B0 as '0', U+0130 as '0',
  // U+00E1 as 'a' and U+0146 as 'F'; the tests had only 'é' (0xE9 & 127 is 'i', not a digit).
  for (const s of ['\u00b000', '0\u00b0', '\u0130a', 'a\u00e1', '\u0146f', '0\u01b0']) {
    throwsCode(() => decodeHex(s), 'INVALID_HEX', JSON.stringify(s));
  }
  assert.deepEqual(decodeHex('0aFf'), Uint8Array.of(0x0a, 0xff));
});

test('base64 and base64url refuse characters past U+007F whose low seven bits are in the alphabet', () => {
  // U+00C1 & 127 is 'A', U+0141 & 127 is 'A', U+00EB & 127 is 'k', U+00AB & 127 is '+', U+00DF & 127 is '_'.
  for (const s of ['\u00c1AAA', 'AA\u0141A', 'Zm9\u00eb', '\u00abAAA', 'AA\u00df']) {
    throwsCode(() => decodeBase64url(s), 'INVALID_BASE64URL', JSON.stringify(s));
    throwsCode(() => decodeBase64(s.length % 4 === 0 ? s : s + '='), 'INVALID_BASE64', JSON.stringify(s));
  }
});
