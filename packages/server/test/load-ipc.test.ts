import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import { ask, waitForLine } from '../../../scripts/load-ipc.ts';

// `npm run load` (scripts/load.ts) asks its server process for its RSS over IPC.

/** A server process stand-in: `send` records, `answer` replies as the server would. */
function fakeServer(): { server: ChildProcess; sent: unknown[]; answer: (m: unknown) => void } {
  const emitter = new EventEmitter();
  const sent: unknown[] = [];
  const send = (m: unknown) => (sent.push(m), true);
  const server = Object.assign(emitter, { send, exitCode: null, signalCode: null }) as unknown as ChildProcess;
  return { server, sent, answer: (m) => emitter.emit('message', m) };
}

test('load: ask resolves with the RSS of the answer of its type', async () => {
  const { server, sent, answer } = fakeServer();
  const rss = ask(server, 'gc');
  assert.deepEqual(sent, [{ type: 'gc' }]);
  answer({ type: 'rss', rss: 1 });
  answer({ type: 'gc', rss: 2 });
  assert.equal(await rss, 2);
  assert.equal(server.listenerCount('message'), 0);
});

test('load: ask rejects when the server exits before answering (the run no longer waits forever)', async () => {
  const { server } = fakeServer();
  const rss = ask(server, 'rss');
  server.emit('exit', 1, null);
  const outcome = await Promise.race([
    rss.then(
      () => 'resolved',
      (err: Error) => err.message,
    ),
    new Promise((r) => setImmediate(() => r('pending'))),
  ]);
  assert.match(String(outcome), /server exited/);
  assert.equal(server.listenerCount('exit'), 0);
});

test('load: ask rejects at once, sending nothing, when the server has already exited', async () => {
  const { server, sent } = fakeServer();
  Object.assign(server, { exitCode: 1 });
  await assert.rejects(ask(server, 'gc'), /server exited/);
  assert.deepEqual(sent, []);
});

test('load: waitForLine resolves once a line starting with the prefix arrives, even split across chunks', async () => {
  const stream = new PassThrough();
  let seen = false;
  const started = waitForLine(stream, '{"started"').then(() => (seen = true));
  stream.write('noise\n{"sta');
  await new Promise((r) => setImmediate(r));
  assert.equal(seen, false);
  stream.write('rted":true}\n');
  await started;
  assert.equal(seen, true);
});

test('load: waitForLine rejects when the stream ends without the line (the load generator died)', async () => {
  const stream = new PassThrough();
  const started = waitForLine(stream, '{"started"');
  stream.end('{"results":[]}\n');
  await assert.rejects(started, /ended before/);
});

test('load: ask rejects when the server could not do what it was asked (a GC without --expose-gc)', async () => {
  const { server, answer } = fakeServer();
  const rss = ask(server, 'gc');
  answer({ type: 'gc', rss: 5, error: 'gc is not exposed (run with --expose-gc)' });
  await assert.rejects(rss, /expose-gc/);
});
