// A used agent-signed request's record outlives its ±5 min window by the clock skew. Another process on the same
// database whose clock lags by up to VOUCH_CLOCK_SKEW still accepts the request's time, so it must still find the
// record when the request is replayed to it, even after the agent's later requests pruned its older ones elsewhere.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { SIGNED_REQUEST_WINDOW_MS } from '../../src/modules/agents/auth.ts';
import { codeOf, newPair, registerSlug, signedHeaders, TEST_ENV } from './helpers.ts';

eachEngine('a signed request replayed to a process whose clock lags is refused as a replay', async ({ open }) => {
  const storage = await open();
  const a = await makeApp(storage, { env: TEST_ENV });
  const b = await makeApp(await open(), { env: TEST_ENV, kek: a.kek, clock: new ManualClock(a.clock.now()) });
  try {
    const pair = await newPair();
    const agent = await registerSlug(a.app, 'ops-bot', { public_key_pem: pair.publicKeyBase64 });
    const url = `/api/v1/agents/${agent.did}/rotate-management-token`;
    const t0 = a.clock.now();
    const first = await signedHeaders(pair, agent.did, 'POST', url, undefined, t0);
    assert.equal((await a.app.inject({ method: 'POST', url, headers: first })).statusCode, 200);

    // 30 s after the first request's window closed, by A's clock, the agent signs another request to A: its
    // older records are pruned on the way, but only those whose window closed more than the skew (60 s) ago.
    a.clock.set(t0 + SIGNED_REQUEST_WINDOW_MS + 30_000);
    const later = await signedHeaders(pair, agent.did, 'POST', url, undefined, a.clock.now());
    assert.equal((await a.app.inject({ method: 'POST', url, headers: later })).statusCode, 200);

    // B runs 60 s behind A: to B the first request is still inside its window.
    b.clock.set(a.clock.now() - 60_000);
    const replay = await b.app.inject({ method: 'POST', url, headers: first });
    assert.equal(replay.statusCode, 409, replay.body);
    assert.equal(codeOf(replay), 'REQUEST_REPLAYED');

    // Once the window closed more than the skew ago, the record goes with the agent's next request.
    a.clock.set(t0 + SIGNED_REQUEST_WINDOW_MS + 60_001);
    const next = await signedHeaders(pair, agent.did, 'POST', url, undefined, a.clock.now());
    assert.equal((await a.app.inject({ method: 'POST', url, headers: next })).statusCode, 200);
    const left = await storage.db.selectFrom('agent_signed_requests').select('expires_at').execute();
    assert.deepEqual(
      left.map((r) => Number(r.expires_at) - SIGNED_REQUEST_WINDOW_MS).sort((x, y) => x - y),
      [t0 + SIGNED_REQUEST_WINDOW_MS + 30_000, a.clock.now()],
      'the first request is pruned; the two later ones stay',
    );
  } finally {
    await b.app.close();
    await a.app.close();
  }
});
