// encodeUtf8 handed anything but a string to TextEncoder, which converts it to a string first: undefined gave no bytes
// at all, null the bytes of "null", 5 of "5", an object those of "[object Object]". A message signed or hashed from
// such bytes is not the one the caller meant, and nothing said so. It now throws INVALID_ARGUMENT, as the SDK's other
// encoders (encodeHex, encodeBase64, encodeBase64url) do for input that is neither a string nor bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeUtf8, isVouchError } from '../src/index.ts';

test('encodeUtf8 refuses what is not a string (INVALID_ARGUMENT) instead of encoding its String() form', () => {
  for (const value of [undefined, null, 5, true, {}, ['a'], Uint8Array.of(0x61)]) {
    assert.throws(
      () => encodeUtf8(value as unknown as string),
      (err: unknown) => isVouchError(err, 'INVALID_ARGUMENT'),
      String(value),
    );
  }
  assert.deepEqual(encodeUtf8('é'), Uint8Array.of(0xc3, 0xa9));
  assert.deepEqual(encodeUtf8(''), new Uint8Array(0));
});
