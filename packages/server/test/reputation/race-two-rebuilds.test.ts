// Two admin rebuilds at once, from two processes, on damaged scores: each replaces every derived row, so the second
// must not write over (or add to) what the first just wrote. On PostgreSQL the interleaving is forced: a third
// session holds the metric definitions both rebuilds read mid-replay, so both have replayed the events and found the
// stored rows wrong before either writes. Afterwards the stored scores equal a fresh replay of the history.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { readDerivedState, rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { ADMIN, allow, createIntegrator, event, ingest, post, registerAgent } from '../integrators/helpers.ts';
import type { Storage } from '../../src/storage/index.ts';

const ENV = { VOUCH_PUBLIC_URL: 'https://vouch.test', VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent' };
const METRICS = [{ metricKey: 'sale', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];

eachEngine('two rebuilds at once leave the scores a replay of the history', async ({ open, engine }) => {
  const control = await open();
  const a = await makeApp(await open(), { env: ENV });
  // The rebuilding processes have read no metric definitions yet: their replays read them from the database.
  const b = await makeApp(await open(), { env: ENV, kek: a.kek, clock: a.clock });
  const c = await makeApp(await open(), { env: ENV, kek: a.kek, clock: a.clock });
  try {
    const key = await createIntegrator(a, 'shop', METRICS);
    const x = await registerAgent(a);
    await allow(a, x, 'shop');
    const mv = [{ metricKey: 'sale', numberValue: 2 }];
    assert.equal((await ingest(a, key, [event('shop', x, mv), event('shop', x, mv)])).body.count, 2);
    // Damaged scores: both rebuilds have something to write.
    await sql`update reputation_scores set conduct_micro = conduct_micro + 7 where agent_id = ${x.id}`.execute(
      control.db,
    );

    const rebuild = (t: typeof b) => post(t, '/api/v1/admin/reputation/rebuild', {}, ADMIN);
    let answers: Array<Awaited<ReturnType<typeof rebuild>>>;
    if (engine !== 'postgres') {
      answers = await Promise.all([rebuild(b), rebuild(c)]);
    } else {
      answers = await control.db.connection().execute(async (conn) => {
        await sql`begin`.execute(conn);
        const holder = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]!.pid;
        await sql`lock table integrator_metrics in access exclusive mode`.execute(conn);
        const first = rebuild(b);
        await waiting(control, holder, 1);
        const second = rebuild(c);
        await waiting(control, holder, 2);
        await sql`commit`.execute(conn);
        return Promise.all([first, second]);
      });
    }
    for (const r of answers) assert.equal(r.statusCode, 200, r.body);
    const stored = await readDerivedState(control.db);
    const check = await rebuildReputation(a.ctx, { dryRun: true });
    assert.equal(check.consistent, true, 'the stored scores equal a replay of every stored event');
    assert.deepEqual(await readDerivedState(control.db), stored);
    const score = stored.scores.find((s) => s.agentId === x.id && s.scope === 'global');
    assert.equal(score?.micro.conduct, 4_000_000, 'two sales of 2 points, counted once');
  } finally {
    await a.app.close();
    await b.app.close();
    await c.app.close();
  }
});

/** Resolves once `count` sessions wait, directly or behind a waiter, for `holder`. */
async function waiting(storage: Storage, holder: number, count: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const { rows } = await sql<{ n: number }>`
      with direct as (select pid from pg_stat_activity where ${holder} = any(pg_blocking_pids(pid)))
      select count(*)::int as n from pg_stat_activity a
      where a.pid in (select pid from direct)
         or exists (select 1 from direct d where d.pid = any(pg_blocking_pids(a.pid)))`.execute(storage.db);
    if (rows[0]!.n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`fewer than ${count} sessions ever waited behind ${holder}`);
}
