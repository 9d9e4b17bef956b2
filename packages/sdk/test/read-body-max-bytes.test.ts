// readBodyText (exported: the CLI reads its fetches with it) compared the bytes read with `maxBytes` and nothing
// else: a cap that is not a number (undefined from a caller's missing option, NaN from a bad parse) made every
// comparison false, so the body was read whole, however large, with no error. It now refuses such a cap with
// INVALID_ARGUMENT, by VouchClient's rule for the same number (maxResponseBytes: a safe integer, 0 or more).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVouchError, readBodyText } from '../src/index.ts';
import { streamed } from './read-body-fixtures.ts';

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
