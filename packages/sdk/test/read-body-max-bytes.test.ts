// readBodyText (exported: the CLI reads its fetches with it) compared the bytes read with `maxBytes` and nothing
// else: a cap that is not a number (undefined from a caller's missing option, NaN from a bad parse) made every
// comparison false, so the body was read whole, however large, with no error. It now refuses such a cap with
// INVALID_ARGUMENT, by VouchClient's rule for the same number (maxResponseBytes: a safe integer, 0 or more).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVouchError, readBodyText, type ReadableResponse } from '../src/index.ts';

/** A response whose body stream yields `chunks`, recording reads and cancellations. */
function streamed(chunks: Uint8Array[], contentLength: string | null = null) {
  const log = { reads: 0, cancelled: 0, bodyCancelled: 0 };
  let i = 0;
  const res: ReadableResponse = {
    headers: { get: (name: string) => (name.toLowerCase() === 'content-length' ? contentLength : null) },
    body: {
      getReader: () => ({
        read: async () => {
          log.reads++;
          return i < chunks.length ? { done: false, value: chunks[i++]! } : { done: true };
        },
        cancel: async () => {
          log.cancelled++;
        },
      }),
      cancel: async () => {
        log.bodyCancelled++;
      },
    },
    text: async () => assert.fail('text() is not read when there is a body stream'),
  };
  return { res, log };
}

test('a cap that is not a safe integer, 0 or more, is refused (INVALID_ARGUMENT) before anything is read', async () => {
  for (const bad of [undefined, null, Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY, '10', 2 ** 53]) {
    const { res, log } = streamed([new Uint8Array(100)]);
    await assert.rejects(
      readBodyText(res, bad as number),
      (err: unknown) => isVouchError(err, 'INVALID_ARGUMENT'),
      String(bad),
    );
    assert.equal(log.reads, 0, String(bad));
  }
  const { res } = streamed([new Uint8Array(0)]);
  assert.equal(await readBodyText(res, 0), '');
});
