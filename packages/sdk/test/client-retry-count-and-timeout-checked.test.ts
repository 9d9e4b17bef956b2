// `retries` is a count and `timeoutMs` a wait for an answer. `retries: 1.5` was taken and acted as 2, and a negative
// per-call `retries` on a route that is never retried was not looked at; `timeoutMs: 0` (which many HTTP clients read
// as "no timeout") timed every attempt out at once, after sending it. Each is now INVALID_ARGUMENT naming the option,
// on the client and per call, and nothing is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { isVouchError, VouchClient } from '../src/index.ts';

function refused(name: RegExp): (err: unknown) => true {
  return (err) => {
    assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
    assert.match((err as Error).message, name);
    return true;
  };
}

test('the client refuses a retry count that is not a whole number and a timeout of 0', () => {
  for (const retries of [1.5, 0.1, -1, Number.NaN, Infinity]) {
    assert.throws(
      () => new VouchClient({ baseUrl: 'http://127.0.0.1:1', retry: { retries } }),
      refused(/retry\.retries/),
    );
  }
  for (const timeoutMs of [0, -1, Number.NaN]) {
    assert.throws(() => new VouchClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs }), refused(/timeoutMs/));
  }
  // Whole counts from 0, and any positive timeout (fractions of a millisecond included), are taken.
  for (const retries of [0, 1, 7]) new VouchClient({ baseUrl: 'http://127.0.0.1:1', retry: { retries } });
  for (const timeoutMs of [0.5, 1, 10_000]) new VouchClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs });
});

test('per call: the same refusals, on a retried route and on one sent once, and nothing is sent', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"did":"did:identity:x"}'));
  const client = new VouchClient({ baseUrl: s.url, credentials: { integratorKey: 'k'.repeat(32) } });
  await assert.rejects(client.agents.resolve('did:identity:x', { retries: 1.5 }), refused(/retries/));
  await assert.rejects(client.agents.resolve('did:identity:x', { timeoutMs: 0 }), refused(/timeoutMs/));
  // Registration is never retried: a count for it is still checked.
  await assert.rejects(client.agents.register({ publicKey: 'x', powNonce: 'y' }, { retries: -1 }), refused(/retries/));
  assert.deepEqual(s.seen, [], 'nothing was sent');
  // Good values go through.
  const ok = await client.agents.resolve('did:identity:x', { retries: 0, timeoutMs: 5_000 });
  assert.deepEqual(ok, { did: 'did:identity:x' });
  assert.equal(s.seen.length, 1);
});
