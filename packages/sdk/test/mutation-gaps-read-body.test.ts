// readBodyText's cap, tested at its edges on fake responses (the HTTP tests only send bodies far over or under it):
// exactly maxBytes is read, one byte more is refused and the stream cancelled (nothing more read); a Content-Length
// over the cap is refused before reading, one at the cap (or not a decimal count) is not; a text()-only body is
// measured in UTF-8 bytes, not characters; `fatal` refuses bytes that are not UTF-8; an abort while reading rejects
// with the abort's own error. Most of these failed under a mutation of read-body.ts that every other test let pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVouchError, readBodyText, type ReadableResponse } from '../src/index.ts';
import { streamed } from './read-body-fixtures.ts';

function textOnly(text: string): ReadableResponse {
  return { headers: { get: () => null }, text: async () => text };
}

const tooLarge = (err: unknown) => isVouchError(err, 'RESPONSE_TOO_LARGE');
const ascii = (n: number) => new Uint8Array(n).fill(0x61);

test('a stream of exactly maxBytes is read; one byte more is refused, cancelled and read no further', async () => {
  const exact = streamed([ascii(4), ascii(6)]);
  assert.equal(await readBodyText(exact.res, 10), 'a'.repeat(10));
  assert.equal(exact.log.cancelled, 0);
  const over = streamed([ascii(4), ascii(7), ascii(1)]);
  await assert.rejects(readBodyText(over.res, 10), tooLarge);
  assert.deepEqual(over.log, { reads: 2, cancelled: 1, bodyCancelled: 0 });
});

test('Content-Length over the cap is refused unread (body cancelled); at the cap it is read', async () => {
  const over = streamed([ascii(11)], ' 11 ');
  await assert.rejects(readBodyText(over.res, 10), tooLarge);
  assert.deepEqual(over.log, { reads: 0, cancelled: 0, bodyCancelled: 1 });
  const at = streamed([ascii(10)], '10');
  assert.equal(await readBodyText(at.res, 10), 'a'.repeat(10));
  // A Content-Length that lies low does not lift the cap.
  const lying = streamed([ascii(11)], '1');
  await assert.rejects(readBodyText(lying.res, 10), tooLarge);
  // One that is not a decimal count is no size at all: the bytes decide.
  for (const header of ['1e3', '0x10', '11.0', '-11']) {
    assert.equal(await readBodyText(streamed([ascii(5)], header).res, 10), 'aaaaa', header);
  }
});

test('a body with text() alone is measured in UTF-8 bytes', async () => {
  assert.equal(await readBodyText(textOnly('a'.repeat(10)), 10), 'a'.repeat(10));
  await assert.rejects(readBodyText(textOnly('a'.repeat(11)), 10), tooLarge);
  // '€' is three UTF-8 bytes: three of them (9 bytes) fit in 10, four (12 bytes, 4 characters) do not.
  assert.equal(await readBodyText(textOnly('€€€'), 10), '€€€');
  await assert.rejects(readBodyText(textOnly('€€€€'), 10), tooLarge);
  await assert.rejects(readBodyText(textOnly('ééééé' + 'a'), 10), tooLarge); // 6 characters, 11 bytes
});

test('fatal refuses bytes that are not UTF-8; without it they read as U+FFFD; a BOM is dropped', async () => {
  const bad = () => streamed([Uint8Array.of(0x61, 0xff, 0x62)]).res;
  await assert.rejects(readBodyText(bad(), 10, { fatal: true }), (err: unknown) => isVouchError(err, 'INVALID_UTF8'));
  assert.equal(await readBodyText(bad(), 10), 'a\ufffdb');
  assert.equal(await readBodyText(bad(), 10, { fatal: false }), 'a\ufffdb');
  const bom = () => streamed([Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b, 0x7d)]).res;
  assert.equal(await readBodyText(bom(), 10, { fatal: true }), '{}');
  assert.equal(await readBodyText(bom(), 10), '{}');
});

test('an abort while reading rejects with the abort error itself', async () => {
  const abort = new DOMException('stopped', 'AbortError');
  const res: ReadableResponse = {
    headers: { get: () => null },
    body: {
      getReader: () => ({ read: () => Promise.reject(abort), cancel: async () => undefined }),
      cancel: async () => undefined,
    },
    text: async () => '',
  };
  await assert.rejects(readBodyText(res, 10), (err: unknown) => err === abort);
});
