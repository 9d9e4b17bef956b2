// constantTimeEqual compares strings as UTF-8, and TextEncoder writes every lone surrogate as U+FFFD: two different
// strings that differ only in lone surrogates ("\ud800" and "\udfff", or either and "\ufffd") had the same bytes and
// compared equal, so a presented secret matched a stored one it is not. Such a string has no UTF-8 form: it now equals
// only the same string (compared as UTF-16 code units, in constant time), never bytes, and nothing throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constantTimeEqual, encodeUtf8 } from '../src/index.ts';

test('constantTimeEqual does not equate strings that differ in lone surrogates', () => {
  assert.equal(constantTimeEqual('key-\ud800', 'key-\udfff'), false);
  assert.equal(constantTimeEqual('key-\ud800', 'key-\ufffd'), false);
  assert.equal(constantTimeEqual('key-\ufffd', 'key-\udc00'), false);
  assert.equal(constantTimeEqual('key-\ud800', encodeUtf8('key-\ufffd')), false);
  assert.equal(constantTimeEqual(encodeUtf8('key-\ufffd'), 'key-\ud800'), false);
  assert.equal(constantTimeEqual('key-\ud800', 'key-\ud800'), true, 'the same string');
  assert.equal(constantTimeEqual('\udc00key-\ud800', '\udc00key-\ud800'), true, 'the same string');
  // Well-formed strings compare as before, surrogate pairs and U+FFFD included.
  assert.equal(constantTimeEqual('key-\ud83d\ude00', 'key-😀'), true);
  assert.equal(constantTimeEqual('key-\ufffd', encodeUtf8('key-\ufffd')), true);
  assert.equal(constantTimeEqual('key-a', 'key-b'), false);
});
