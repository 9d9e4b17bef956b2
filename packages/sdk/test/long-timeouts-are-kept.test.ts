// A timeout longer than a timer can hold (2^31 - 1 ms, about 24.8 days) is still a long timeout. Node (and browsers)
// run such a timer after 1 ms instead, so `timeoutMs: 2 ** 31` or `Number.MAX_SAFE_INTEGER` ("practically none")
// made every client call and every verifier fetch fail at once with REQUEST_TIMEOUT / AIP_FETCH_FAILED.
//
// The fetch below answers after a 2 ms timer armed after the caller's timeout timer: a timeout cut to 1 ms always
// fires first (timers run in order of expiry), a kept one never does. No packet is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AIP_DISCOVERY_PATH, AIP_PROTOCOL, createAipVerifier, VouchClient } from '../src/index.ts';

const ISSUER = 'http://127.0.0.1:4100';

function slowFetch(answer: (url: string) => unknown) {
  return async (url: string, init: { signal: AbortSignal }) => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    if (init.signal.aborted) throw new DOMException('This operation was aborted', 'AbortError');
    return new Response(JSON.stringify(answer(url)), { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

for (const timeoutMs of [2 ** 31, Number.MAX_SAFE_INTEGER]) {
  test(`VouchClient with timeoutMs ${timeoutMs} waits for the answer`, async () => {
    const client = new VouchClient({
      baseUrl: ISSUER,
      timeoutMs,
      retry: { retries: 0 },
      fetch: slowFetch(() => ({ status: 'ok' })),
    });
    assert.deepEqual(await client.server.health(), { status: 'ok' });
  });

  test(`createAipVerifier with requestTimeoutMs ${timeoutMs} waits for the answer`, async () => {
    const verifier = createAipVerifier({
      issuer: ISSUER,
      requestTimeoutMs: timeoutMs,
      fetch: slowFetch((url) =>
        url.endsWith(AIP_DISCOVERY_PATH)
          ? {
              protocol: AIP_PROTOCOL,
              issuer: ISSUER,
              jwks_uri: `${ISSUER}/.well-known/jwks.json`,
              revocations_endpoint: `${ISSUER}/api/registry/revocations`,
            }
          : { keys: [] },
      ),
    });
    await verifier.refreshKeys();
  });
}
