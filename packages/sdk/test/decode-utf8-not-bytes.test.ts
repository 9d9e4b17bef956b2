// decodeUtf8 handed its argument to TextDecoder, which takes no argument as an empty buffer: decodeUtf8(undefined)
// returned '' (a caller that lost its bytes got an empty text and nothing said so), and an ArrayBuffer or another
// typed array was read as bytes too, while null, a string or a number threw INVALID_UTF8 as though they were bytes
// that are not UTF-8. Like encodeUtf8 for a non-string, it now refuses anything but a Uint8Array with
// INVALID_ARGUMENT.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeUtf8, isVouchError } from '../src/index.ts';

test('decodeUtf8 refuses what is not a Uint8Array (INVALID_ARGUMENT) instead of decoding it or returning ""', () => {
  for (const value of [undefined, null, 'abc', 5, {}, [0x61], new ArrayBuffer(2), Uint16Array.of(0x4141)]) {
    assert.throws(
      () => decodeUtf8(value as unknown as Uint8Array),
      (err: unknown) => isVouchError(err, 'INVALID_ARGUMENT'),
      Object.prototype.toString.call(value),
    );
  }
  assert.equal(decodeUtf8(Uint8Array.of(0xc3, 0xa9)), 'é');
  assert.equal(decodeUtf8(Buffer.from('é')), 'é');
  assert.equal(decodeUtf8(new Uint8Array(0)), '');
  assert.throws(
    () => decodeUtf8(Uint8Array.of(0xff)),
    (err: unknown) => isVouchError(err, 'INVALID_UTF8'),
  );
});
