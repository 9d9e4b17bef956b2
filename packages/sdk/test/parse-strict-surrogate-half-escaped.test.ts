// parseStrict on a string joined an escaped surrogate and a raw one into a pair: '"\ud83d' + a raw U+DE00 + '"' parsed
// as '😂'-like text, while the same text as UTF-8 bytes (the raw half becomes U+FFFD) was refused, so the two inputs
// of one document disagreed. A raw lone surrogate anywhere in a string argument is now refused, as in bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeUtf8, parseStrict } from '../src/index.ts';
import { throwsCode } from './vectors.ts';

test('parseStrict refuses a raw lone surrogate that an escaped one beside it would complete', () => {
  for (const text of ['"\\ud83d\ude00"', '"\ud83d\\ude00"', '{"\\ud83d\ude00":1}', '["x","\ud83d\\ude00"]']) {
    throwsCode(() => parseStrict(text), 'INVALID_JSON', JSON.stringify(text));
    throwsCode(() => parseStrict(encodeUtf8(text)), 'INVALID_JSON', `${JSON.stringify(text)} as bytes`);
  }
  // Both halves escaped, or both raw: one character, as before.
  assert.equal(parseStrict('"\\ud83d\\ude00"'), '\ud83d\ude00');
  assert.equal(parseStrict('"\ud83d\ude00\\n"'), '\ud83d\ude00\n');
});
