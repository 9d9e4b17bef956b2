// Test strength: the caller's abort reaches the request in flight at once. client-abort-in-flight checks the call
// rejects with the signal's reason, which it also did with the attempt's abort listener gone (HttpTransport.attempt):
// then the request stayed open, its socket held, until the attempt's own timeout (10 s by default) fired. Here the
// signal fetch was given must be aborted, with the caller's reason, as soon as the caller aborts. Against a loopback
// server that never answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VouchClient } from '../src/index.ts';
import type { HttpFetch } from '../src/index.ts';
import { serveAnswers } from './answering-server.ts';

test("the caller's abort aborts the request fetch is sending, with the caller's reason", async (t) => {
  let arrived: () => void = () => {};
  const inFlight = new Promise<void>((resolve) => (arrived = resolve));
  const { url } = await serveAnswers(t, () => arrived()); // never answered
  const signals: AbortSignal[] = [];
  const recording: HttpFetch = (u, init) => {
    signals.push(init.signal);
    return fetch(u, init);
  };
  const client = new VouchClient({ baseUrl: url, fetch: recording, timeoutMs: 60_000 });
  const controller = new AbortController();
  const reason = new Error('cancelled');
  const pending = client.server.health({ signal: controller.signal });
  await inFlight;
  assert.equal(signals.length, 1);
  assert.equal(signals[0]!.aborted, false);
  controller.abort(reason);
  assert.equal(signals[0]!.aborted, true, 'aborted with the caller');
  assert.equal(signals[0]!.reason, reason);
  await assert.rejects(pending, (err: unknown) => err === reason);
});
