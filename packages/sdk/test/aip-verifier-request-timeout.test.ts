// requestTimeoutMs bounds each of the verifier's requests, the wait for the answer's head and the reading of its body
// alike: an issuer (or a path to it) that stops answering half-way cannot hold a verification forever. Nothing
// tested it: with the timer never armed, or disarmed once the head arrived, every test still passed.
//
// The fetch below behaves as WHATWG fetch does with its signal (an abort rejects the pending answer or body read);
// setTimeout is mocked, so the timeout fires when the test moves the clock and at no other time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAipVerifier } from '../src/index.ts';
import type { FetchLike } from '../src/index.ts';
import { aipIssuer, ISS, NOW } from './aip-fixtures.ts';

/** A fetch that stalls where told: before the head of its answer, or after the head, in the body. */
function stallingFetch(where: 'head' | 'body') {
  let stalled!: (signal: AbortSignal) => void;
  const started = new Promise<AbortSignal>((resolve) => (stalled = resolve));
  const untilAborted = (signal: AbortSignal): Promise<never> =>
    new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  const fetch: FetchLike = async (_url, { signal }) => {
    if (where === 'head') {
      stalled(signal);
      return untilAborted(signal);
    }
    const reader = {
      read: () => {
        stalled(signal);
        return untilAborted(signal);
      },
      cancel: async () => undefined,
    };
    return {
      status: 200,
      headers: new Headers({ 'content-type': 'application/json' }),
      body: { getReader: () => reader, cancel: async () => undefined },
      text: () => untilAborted(signal),
    };
  };
  return { fetch, started };
}

for (const where of ['head', 'body'] as const) {
  test(`a revocation list that stalls in its ${where} is given up after requestTimeoutMs`, async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const a = await aipIssuer();
    const token = await a.sign(a.identity);
    const { fetch, started } = stallingFetch(where);
    const verifier = createAipVerifier({
      issuer: ISS,
      jwks: a.jwks,
      revocationsUrl: `${ISS}/api/registry/revocations`,
      fetch,
      now: () => NOW,
      requestTimeoutMs: 5000,
    });
    const verdict = verifier.check(token);
    const signal = await started;
    t.mock.timers.tick(4999);
    assert.equal(signal.aborted, false, 'not before requestTimeoutMs');
    t.mock.timers.tick(1);
    assert.equal(signal.aborted, true, 'aborted at requestTimeoutMs');
    const r = await verdict;
    assert.equal(r.valid ? 'valid' : r.code, 'AIP_FETCH_FAILED');
  });
}
