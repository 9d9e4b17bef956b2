// A Retry-After equal to maxRetryAfterMs is waited for: only a longer one makes the call fail at once (RetryOptions,
// "A `Retry-After` longer than this is not waited for"). Found by mutation testing: comparing with >= instead of >
// failed no test, since the tests' waits were far below or far above the cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VouchApiError, VouchClient } from '../src/index.ts';
import { serveAnswers } from './answering-server.ts';

test('a Retry-After of exactly maxRetryAfterMs is waited for; one second more is not', async (t) => {
  const { url, seen } = await serveAnswers(t, (req, res) => {
    const first = seen.filter((u) => u === req.url).length === 1;
    if (!first) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    const wait = req.url === '/healthz' ? '30' : '31';
    res
      .writeHead(429, { 'content-type': 'application/json', 'retry-after': wait })
      .end('{"error":"slow down","code":"RATE_LIMITED"}');
  });
  const sleeps: number[] = [];
  const client = new VouchClient({
    baseUrl: url,
    retry: { retries: 2, maxRetryAfterMs: 30_000 },
    sleep: async (ms) => void sleeps.push(ms),
  });
  assert.deepEqual(await client.server.health(), { status: 'ok' });
  assert.deepEqual(sleeps, [30_000]);
  assert.deepEqual(seen, ['/healthz', '/healthz']);
  await assert.rejects(client.server.ready(), (err: unknown) => {
    assert.ok(err instanceof VouchApiError && err.code === 'RATE_LIMITED', String(err));
    assert.equal(err.retryAfterMs, 31_000);
    return true;
  });
  assert.deepEqual(sleeps, [30_000], 'no wait for a Retry-After past the cap');
  assert.deepEqual(seen, ['/healthz', '/healthz', '/readyz']);
});
