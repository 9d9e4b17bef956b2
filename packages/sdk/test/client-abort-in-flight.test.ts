// A call the caller cancels while its request is in flight rejects with the signal's reason, also when it is sent
// once only (a write that is not idempotent, or retries: 0): it is the caller's cancellation, not a NETWORK_ERROR
// that reads as the server not answering. Found by mutation testing: dropping the check in the client's attempt
// that rethrows the reason failed no test (an idempotent call with retries left rethrows it before its next try).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VouchClient } from '../src/index.ts';

test('a cancelled call in flight rejects with the signal reason, write or read, without retries', async (t) => {
  let arrived: () => void = () => {};
  const server = createServer((req) => {
    req.resume();
    arrived(); // never answered
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const client = new VouchClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
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
