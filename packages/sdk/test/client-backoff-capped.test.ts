// The retry backoff is capped: attempt n waits random × min(maxDelayMs, baseDelayMs·2ⁿ) (RetryOptions). Found by
// mutation testing: dropping the min failed no test, since the tests' backoffs never reached their cap. Against a
// loopback server that is unavailable three times; the waits are recorded by an injected sleep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveAnswers } from './answering-server.ts';
import { VouchClient } from '../src/index.ts';

test('the backoff grows from baseDelayMs and stops at maxDelayMs', async (t) => {
  let n = 0;
  const s = await serveAnswers(t, (_req, res) => {
    n++;
    const [status, body] = n <= 4 ? [503, '{"error":"busy","code":"BUSY"}'] : [200, '{"status":"ok"}'];
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  const sleeps: number[] = [];
  const client = new VouchClient({
    baseUrl: s.url,
    retry: { retries: 4, baseDelayMs: 100, maxDelayMs: 250 },
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
  });
  assert.deepEqual(await client.server.health(), { status: 'ok' });
  // 0.5 × min(250, 100, 200, 400, 800)
  assert.deepEqual(sleeps, [50, 100, 125, 125]);
  assert.equal(s.seen.length, 5);
});
