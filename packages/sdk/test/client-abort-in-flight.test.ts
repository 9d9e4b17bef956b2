// A call the caller cancels while its request is in flight rejects with the signal's reason, also when it is sent
// once only (a write that is not idempotent, or retries: 0): it is the caller's cancellation, not a NETWORK_ERROR
// that reads as the server not answering. Found by mutation testing: dropping the check in the client's attempt
// that rethrows the reason failed no test (an idempotent call with retries left rethrows it before its next try).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VouchClient } from '../src/index.ts';
import { serveAnswers } from './answering-server.ts';

test('a cancelled call in flight rejects with the signal reason, write or read, without retries', async (t) => {
  let arrived: () => void = () => {};
  const { url } = await serveAnswers(t, () => arrived()); // never answered
  const client = new VouchClient({ baseUrl: url });
  const calls: Array<[string, (signal: AbortSignal) => Promise<unknown>]> = [
    ['a write sent once', (signal) => client.agents.report({ did: 'did:x', reason: 'spam' }, { signal })],
    ['a read with retries: 0', (signal) => client.server.health({ signal, retries: 0 })],
  ];
  for (const [what, call] of calls) {
    const controller = new AbortController();
    const reason = new Error(`cancelled: ${what}`);
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    const pending = call(controller.signal);
    await inFlight;
    controller.abort(reason);
    await assert.rejects(pending, (err: unknown) => {
      assert.equal(err, reason, what);
      return true;
    });
  }
});
