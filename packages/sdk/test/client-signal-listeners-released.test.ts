// Test strength: the client adds an abort listener to the caller's signal for each attempt (to cancel its fetch) and
// for each wait between retries (the default sleep), and removes it when the attempt or the wait ends. Nothing
// checked the removal: with it gone, a long-lived signal (an application's shutdown signal passed to every call)
// would gather one listener per call, a leak Node reports as MaxListenersExceededWarning, and every one of them would
// still run at abort. Against a loopback server, with the default sleep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { isVouchError, VouchClient } from '../src/index.ts';
import { serveAnswers } from './answering-server.ts';

test("a call leaves no abort listener on the caller's signal: answered, refused, or after retries", async (t) => {
  let answers: number[] = [];
  const s = await serveAnswers(t, (_req, res) => {
    const status = answers.shift() ?? 200;
    const body = status === 200 ? { status: 'ok' } : { error: 'no', code: 'NOPE' };
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  // The default sleep (abortableSleep) waits between the retries: 1 ms at most.
  const client = new VouchClient({ baseUrl: s.url, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 } });
  const signal = new AbortController().signal;
  const listeners = () => getEventListeners(signal, 'abort').length;

  assert.deepEqual(await client.server.health({ signal }), { status: 'ok' });
  assert.equal(listeners(), 0, 'after an answer');

  answers = [404];
  await assert.rejects(client.server.health({ signal }), (err: unknown) => isVouchError(err, 'NOPE'));
  assert.equal(listeners(), 0, 'after a refusal');

  answers = [503, 503];
  assert.deepEqual(await client.server.health({ signal }), { status: 'ok' });
  assert.equal(s.seen.length, 5, 'two retries, each after a wait');
  assert.equal(listeners(), 0, 'after the retries and their waits');
});
