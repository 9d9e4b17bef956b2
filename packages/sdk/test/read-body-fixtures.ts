// Fake responses for the readBodyText tests (mutation-gaps-read-body, read-body-max-bytes): a body stream that yields
// given chunks and counts what was done to it, with an optional Content-Length header.
import assert from 'node:assert/strict';
import type { ReadableResponse } from '../src/index.ts';

/** A response whose body stream yields `chunks`, recording reads and cancellations. */
export function streamed(chunks: Uint8Array[], contentLength: string | null = null) {
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
