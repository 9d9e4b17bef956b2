// Test strength: a Retry-After given as an HTTP date is a wait until that date on the client's clock (`now`, which
// docs it as the clock "for signed requests and Retry-After dates"). No test sent a date through the client with an
// injected clock, so measuring it against Date.now() instead (mutation in HttpTransport.call) went unnoticed: a client
// on a corrected or test clock would wait years (refused past maxRetryAfterMs) or not at all. Against a loopback
// server; waits are recorded, not slept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VouchClient } from '../src/index.ts';
import { serveAnswers } from './answering-server.ts';

test("a Retry-After date is waited for as measured on the client's clock, not the machine's", async (t) => {
  const clock = Date.UTC(2031, 4, 6, 7, 8, 9); // years from the machine's time, either way a wait past the cap
  const until = new Date(clock + 7000).toUTCString();
  let n = 0;
  const s = await serveAnswers(t, (_req, res) => {
    if (n++ > 0) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': until });
    res.end('{"error":"busy","code":"DATABASE_UNAVAILABLE"}');
  });
  const sleeps: number[] = [];
  const client = new VouchClient({
    baseUrl: s.url,
    now: () => clock,
    sleep: async (ms) => void sleeps.push(ms),
    retry: { retries: 1 },
  });
  assert.deepEqual(await client.server.health(), { status: 'ok' });
  assert.deepEqual(sleeps, [7000]);
  assert.equal(s.seen.length, 2);
});
