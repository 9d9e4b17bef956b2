// The admin rebuild racing an ingestion batch on another process: the rebuild replaces every derived row with what
// it replayed, so an event stored (and scored) after its replay read the events, but before its write, would be
// lost from the scores. On PostgreSQL the interleaving is forced: a third session holds the metric definitions the
// rebuild reads after the events, so the rebuild pauses mid-replay while the batch is sent. Afterwards the stored
// scores equal a fresh replay of the history.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { readDerivedState, rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { ADMIN, allow, createIntegrator, event, ingest, post, registerAgent } from '../integrators/helpers.ts';
import type { Storage } from '../../src/storage/index.ts';

const ENV = { VOUCH_PUBLIC_URL: 'https://vouch.test', VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent' };
const METRICS = [{ metricKey: 'sale', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];

eachEngine('a rebuild racing an ingestion batch loses no event from the scores', async ({ open, engine }) => {
  const s1 = await open();
  const s2 = await open();
  const control = await open();
  const a = await makeApp(s1, { env: ENV });
  const b = await makeApp(s2, { env: ENV, kek: a.kek, clock: a.clock });
  try {
    const key = await createIntegrator(a, 'shop', METRICS);
    const [x, y] = [await registerAgent(a), await registerAgent(a)];
    await allow(a, x, 'shop');
    await allow(a, y, 'shop');
    const mv = [{ metricKey: 'sale', numberValue: 1 }];
    // History ingested on process b only (process a, which rebuilds, reads the metric definitions from the database).
    assert.equal((await ingest(b, key, [event('shop', x, mv), event('shop', y, mv)])).body.count, 2);
    // Damaged scores: the rebuild has something to write.
    await sql`update reputation_scores set conduct_micro = conduct_micro + 7 where agent_id = ${x.id}`.execute(s1.db);

    const rebuild = () => post(a, '/api/v1/admin/reputation/rebuild', {}, ADMIN);
    const batch = () => ingest(b, key, [event('shop', y, mv), event('shop', x, mv)]);
    let rebuilt: Awaited<ReturnType<typeof rebuild>>;
    let ingested: Awaited<ReturnType<typeof batch>>;
    if (engine !== 'postgres') {
      [rebuilt, ingested] = await Promise.all([rebuild(), batch()]);
    } else {
      ({ rebuilt, ingested } = await control.db.connection().execute(async (conn) => {
        await sql`begin`.execute(conn);
        const holder = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]!.pid;
        await sql`lock table integrator_metrics in access exclusive mode`.execute(conn);
        const rebuilt = rebuild();
        await waiting(control, holder, 1, undefined);
        // The batch waits for the rebuild (which waits for the holder), or, were the rebuild not holding events
        // off, is stored at once.
        const ingested = batch();
        await waiting(control, holder, 2, ingested);
        await sql`commit`.execute(conn);
        return { rebuilt: await rebuilt, ingested: await ingested };
      }));
    }
    assert.equal(rebuilt.statusCode, 200, rebuilt.body);
    assert.equal(ingested.status, 200, JSON.stringify(ingested.body));
    assert.equal(ingested.body.count, 2);
    const stored = await readDerivedState(s1.db);
    const check = await rebuildReputation(a.ctx, { dryRun: true });
    assert.equal(check.events, 4);
    assert.equal(check.consistent, true, 'the stored scores equal a replay of every stored event');
    assert.deepEqual(await readDerivedState(s1.db), stored);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});

/** Resolves once `count` sessions wait (directly or behind a waiter) for `holder`, or once `done` settles. */
async function waiting(
  storage: Storage,
  holder: number,
  count: number,
  done: Promise<unknown> | undefined,
): Promise<void> {
  let settled = false;
  void done?.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 2000 && !settled; i++) {
    const { rows } = await sql<{ n: number }>`
      with direct as (select pid from pg_stat_activity where ${holder} = any(pg_blocking_pids(pid)))
      select count(*)::int as n from pg_stat_activity a
      where a.pid in (select pid from direct)
         or exists (select 1 from direct d where d.pid = any(pg_blocking_pids(a.pid)))`.execute(storage.db);
    if (rows[0]!.n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (!settled) throw new Error(`fewer than ${count} sessions ever waited behind ${holder}`);
}
