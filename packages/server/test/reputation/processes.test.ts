// Two server "processes" on one database ingest for the same agents at once (PostgreSQL: truly concurrent; SQLite:
// interleaved, its one writer at a time): every event is stored once and the scores equal the rebuild.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { readDerivedState, rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { allow, createIntegrator, event, ingest, registerAgent, repApp } from '../integrators/helpers.ts';

eachEngine(
  'concurrent batches from two processes for the same agents keep incremental scores exact',
  async ({ open, engine }) => {
    const a = await repApp(await open());
    const b = await repApp(await open());
    const key = await createIntegrator(a, 'shop', [
      { metricKey: 'tasks', polarity: 'boost', weight: 1.25, lane: 'conduct', maxPerDay: 7 },
      { metricKey: 'spam', polarity: 'hurt', weight: 2, lane: 'presence', maxPerDay: 4 },
    ]);
    const agents = [await registerAgent(a), await registerAgent(a), await registerAgent(a)];
    for (const agent of agents) await allow(a, agent, 'shop');
    const batch = (n: number, offset: number) =>
      Array.from({ length: 40 }, (_, i) =>
        event(
          'shop',
          agents[(i + n) % 3]!,
          [
            { metricKey: 'tasks', numberValue: (i % 4) + 1 },
            { metricKey: 'spam', booleanValue: i % 3 === 0 },
          ],
          // Overlapping ids between the two processes' batches: each id is stored once, whoever is first.
          { externalEventId: `c-${n}-${(i + offset) % 50}` },
        ),
      );
    const sends = [0, 1, 2, 3, 4, 5].flatMap((n) => [
      () => ingest(a, key, batch(n, 0)),
      () => ingest(b, key, batch(n, 25)),
    ]);
    const answers =
      engine === 'postgres'
        ? await Promise.all(sends.map((s) => s()))
        : await sends.reduce(
            async (acc, s) => [...(await acc), await s()],
            Promise.resolve([] as Awaited<ReturnType<typeof ingest>>[]),
          );
    let stored = 0;
    for (const r of answers) {
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(r.body.results.every((x) => x.error === undefined));
      stored += r.body.count;
    }
    assert.equal(stored, 6 * 50, 'each distinct id stored exactly once');
    const incremental = await readDerivedState(a.ctx.storage.db);
    const report = await rebuildReputation(b.ctx, { dryRun: true });
    assert.equal(report.events, 300);
    assert.equal(report.consistent, true);
    assert.deepEqual(await readDerivedState(b.ctx.storage.db), incremental);
    await a.app.close();
    await b.app.close();
  },
  { timeout: 60_000 },
);
