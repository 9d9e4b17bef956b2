// Used agent-signed requests are pruned per agent when that agent signs again; housekeeping prunes everyone's, so an
// agent that stops signing does not keep its last window of records for ever. Both follow one rule: a record goes
// once its window closed more than the clock skew ago (a lagging process may still accept the request until then).
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';
import { pruneSignedRequests, SIGNED_REQUEST_WINDOW_MS } from '../../src/modules/agents/auth.ts';
import { codeOf, newPair, registerSlug, signedHeaders, TEST_ENV } from './helpers.ts';

const SKEW_MS = 60_000; // VOUCH_CLOCK_SKEW's default

async function signedAtOf(storage: Storage): Promise<number[]> {
  const rows = await storage.db.selectFrom('agent_signed_requests').select('expires_at').execute();
  return rows.map((r) => Number(r.expires_at) - SIGNED_REQUEST_WINDOW_MS).sort((x, y) => x - y);
}

/** Polls (in real time) until `done` holds: the pruner's statements run after the timer's tick returns. */
async function until(done: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await done()) return;
    await delay(10);
  }
  assert.fail(`timed out waiting for ${what}`);
}

eachEngine('housekeeping prunes the used requests of an agent that stopped signing', async ({ open, t }) => {
  // Only setInterval is mocked: the housekeeping timer fires when the test says so, requests run in real time.
  t.mock.timers.enable({ apis: ['setInterval'] });
  const storage = await open();
  const a = await makeApp(storage, { env: TEST_ENV });
  try {
    const quietPair = await newPair();
    const busyPair = await newPair();
    const quiet = await registerSlug(a.app, 'quiet-bot', { public_key_pem: quietPair.publicKeyBase64 });
    const busy = await registerSlug(a.app, 'busy-bot', { public_key_pem: busyPair.publicKeyBase64 });
    const quietUrl = `/api/v1/agents/${quiet.did}/rotate-management-token`;
    const busyUrl = `/api/v1/agents/${busy.did}/rotate-management-token`;
    const t0 = a.clock.now();
    const once = await signedHeaders(quietPair, quiet.did, 'POST', quietUrl, undefined, t0);
    assert.equal((await a.app.inject({ method: 'POST', url: quietUrl, headers: once })).statusCode, 200);
    a.clock.set(t0 + 120_000);
    const busyHeaders = await signedHeaders(busyPair, busy.did, 'POST', busyUrl, undefined, a.clock.now());
    assert.equal((await a.app.inject({ method: 'POST', url: busyUrl, headers: busyHeaders })).statusCode, 200);
    assert.deepEqual(await signedAtOf(storage), [t0, t0 + 120_000]);

    // The quiet agent's window closed exactly the skew ago: a process lagging by the skew still accepts it. Kept.
    a.clock.set(t0 + SIGNED_REQUEST_WINDOW_MS + SKEW_MS);
    assert.equal(await pruneSignedRequests(a.ctx), 0);
    assert.deepEqual(await signedAtOf(storage), [t0, t0 + 120_000]);

    // One millisecond later the minute's housekeeping takes it, though the quiet agent never signs again.
    a.clock.advance(1);
    t.mock.timers.tick(60_000);
    await until(async () => (await signedAtOf(storage)).length === 1, 'the housekeeping prune');
    assert.deepEqual(await signedAtOf(storage), [t0 + 120_000], "the busy agent's record is still inside its time");

    // The record kept still refuses its request's replay.
    const replay = await a.app.inject({ method: 'POST', url: busyUrl, headers: busyHeaders });
    assert.equal(replay.statusCode, 409, replay.body);
    assert.equal(codeOf(replay), 'REQUEST_REPLAYED');
  } finally {
    await a.app.close();
  }
});

eachEngine(
  'the housekeeping prune finds expired signed requests by an index on expires_at',
  async ({ open, engine }) => {
    const storage = await open();
    if (engine === 'sqlite') {
      // The prune's inner select, as deleteExpired writes it: without the index SQLite scans the table.
      const plan = await sql<{ detail: string }>`explain query plan
      select rowid from agent_signed_requests where expires_at < ${0} limit ${2000}`.execute(storage.db);
      const details = plan.rows.map((r) => r.detail).join('; ');
      assert.match(details, /USING (COVERING )?INDEX agent_signed_requests_expires_idx/, details);
    } else {
      // PostgreSQL plans a table this small by scanning it whatever indexes exist, so the index itself is checked.
      const rows = await sql<{ def: string }>`select indexdef as def from pg_indexes
      where schemaname = current_schema() and indexname = 'agent_signed_requests_expires_idx'`.execute(storage.db);
      assert.equal(rows.rows.length, 1);
      assert.match(rows.rows[0]!.def, /\(expires_at\)$/);
    }
  },
);
