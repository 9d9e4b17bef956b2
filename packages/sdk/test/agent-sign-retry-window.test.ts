// A signature retried after the server's signature window closed. `POST /api/v1/signatures/sign` is idempotent: the
// transport retries a lost answer with the very same submission, and the server answers a recorded one before it
// checks the window, so a retry never records the content twice. But a retry of a submission that never arrived is
// refused SIGNED_AT_OUT_OF_WINDOW once the waits outlast the window (VOUCH_SIGNATURE_WINDOW may be a few seconds,
// Retry-After up to 30 s): that refusal says nothing was recorded, so the agent signs again at a fresh reading.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { VouchAgent, VouchClient } from '../src/index.ts';
import type { HttpFetch } from '../src/client/http.ts';
import { startLiveServer } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

const WINDOW_SECONDS = 2;
let live: LiveServer;

before(async () => {
  live = await startLiveServer({ VOUCH_SIGNATURE_WINDOW: String(WINDOW_SECONDS) });
});
after(() => live.close());

/**
 * An agent whose client loses the first signature submission (before or after the server got it) and waits past the
 * window before its retry; `sent` counts the submissions that reached the server.
 */
async function flakyAgent(lose: 'request' | 'answer') {
  const { did, key } = await live.registerAgent();
  const sent: Array<{ signedAt: number }> = [];
  let lost = false;
  const fetchImpl: HttpFetch = async (url, init) => {
    const signing = String(url).endsWith('/api/v1/signatures/sign');
    if (signing && !lost && lose === 'request') {
      lost = true;
      throw new TypeError('fetch failed');
    }
    if (signing) sent.push(JSON.parse(String(init?.body)) as { signedAt: number });
    const res = await fetch(url, init);
    if (signing && !lost) {
      lost = true;
      await res.text();
      throw new TypeError('fetch failed');
    }
    return res;
  };
  const client = new VouchClient({
    baseUrl: live.url,
    fetch: fetchImpl,
    now: () => live.clock.now(),
    // The backoff outlasts the window.
    sleep: async () => live.clock.advance((WINDOW_SECONDS + 1) * 1000),
    retry: { retries: 1 },
  });
  return { agent: new VouchAgent(client, { did, privateKey: key.privateKey }), sent };
}

test('a submission lost on its way is signed again when its retry is refused as out of the window', async () => {
  const { agent, sent } = await flakyAgent('request');
  const started = live.clock.now();
  const signed = await agent.signContent('sent once, lost once');
  assert.ok(signed.signedAt > started, 'signed again at a fresh reading');
  assert.equal(sent.length, 2, 'the stale retry, then the fresh signature');
  assert.equal(sent[0]!.signedAt, started);
  assert.equal(sent[1]!.signedAt, signed.signedAt);
  const record = await live.call('GET', `/api/v1/signatures/verify?hash=${signed.signatureHash}`);
  assert.notEqual(record.status, 404, JSON.stringify(record.body));
});

test('a submission whose answer was lost is answered by its record on retry, not signed twice', async () => {
  const { agent, sent } = await flakyAgent('answer');
  const started = live.clock.now();
  const signed = await agent.signContent('recorded, answer lost');
  assert.equal(signed.signedAt, started, 'the recorded signature, whose window has closed');
  assert.deepEqual(
    sent.map((s) => s.signedAt),
    [started, started],
  );
});

test('a signedAt the caller chose is never replaced', async () => {
  const { agent } = await flakyAgent('request');
  const signedAt = live.clock.now();
  await assert.rejects(agent.signPayloadHash('a'.repeat(64), { signedAt }), { code: 'SIGNED_AT_OUT_OF_WINDOW' });
});

test('a clock that has not moved since the refusal signs nothing again: one submission, the refusal', async () => {
  const { did, key } = await live.registerAgent();
  let sent = 0;
  const fetchImpl: HttpFetch = async (url, init) => {
    if (String(url).endsWith('/api/v1/signatures/sign')) sent++;
    return fetch(url, init);
  };
  // The agent's clock is stuck before the server's window: a fresh reading is the same stale time.
  const stale = live.clock.now() - (WINDOW_SECONDS + 1) * 1000;
  const client = new VouchClient({ baseUrl: live.url, fetch: fetchImpl, now: () => stale });
  const agent = new VouchAgent(client, { did, privateKey: key.privateKey });
  await assert.rejects(agent.signContent('a stuck clock'), { code: 'SIGNED_AT_OUT_OF_WINDOW' });
  assert.equal(sent, 1, 'the same submission is not signed and sent again');
});
