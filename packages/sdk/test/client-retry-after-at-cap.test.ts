// A Retry-After equal to maxRetryAfterMs is waited for: only a longer one makes the call fail at once (RetryOptions,
// "A `Retry-After` longer than this is not waited for"). Found by mutation testing: comparing with >= instead of >
// failed no test, since the tests' waits were far below or far above the cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VouchApiError, VouchClient } from '../src/index.ts';

test('a Retry-After of exactly maxRetryAfterMs is waited for; one second more is not', async (t) => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(req.url!);
      const first = seen.filter((u) => u === req.url).length === 1;
      if (!first) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      const wait = req.url === '/healthz' ? '30' : '31';
      res
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': wait })
        .end('{"error":"slow down","code":"RATE_LIMITED"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const sleeps: number[] = [];
  const client = new VouchClient({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
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
