// flushState writes a batch's changes in statements of at most 30,000 parameters: 4,285 per-metric totals or 6,000
// day counts each. No test made a batch change more rows than one statement holds, so writing only the first
// statement of a table passed the suite. 70 environments x 100 metrics of one agent: 7,000 totals and 7,000 days.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { allow, createIntegrator, ingest, registerAgent, repApp } from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';

const ENVS = 70;
const METRICS: MetricSpec[] = Array.from({ length: 100 }, (_, i) => ({
  metricKey: `m${i}`,
  polarity: 'boost',
  weight: 0.001,
  lane: 'conduct',
}));

eachEngine(
  'a batch that changes more rows than one statement holds writes them all',
  async ({ open }) => {
    const storage = await open();
    const t = await repApp(storage, { VOUCH_REPUTATION_ENVIRONMENT_CAP: '100' });
    const key = await createIntegrator(t, 'shop', METRICS);
    const agent = await registerAgent(t);
    await allow(t, agent, 'shop');
    const events = Array.from({ length: ENVS }, (_, e) => ({
      envId: `shop.ns${e}.v1`,
      externalEventId: `e${e}`,
      eventType: 'task.completed',
      subjectType: 'agent',
      subjectId: agent.did,
      actorType: 'human',
      actorId: 'user-1',
      metricValues: METRICS.map((m) => ({ metricKey: m.metricKey, booleanValue: true })),
    }));
    const res = await ingest(t, key, events);
    assert.equal(res.status, 200);
    assert.equal(res.body.count, ENVS, JSON.stringify(res.body.results.find((r) => !r.inserted)));
    const count = async (table: 'reputation_metric_totals' | 'reputation_day_counts') =>
      Number(
        (
          await storage.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    assert.equal(await count('reputation_metric_totals'), ENVS * METRICS.length);
    assert.equal(await count('reputation_day_counts'), ENVS * METRICS.length);
    const score = await storage.db
      .selectFrom('reputation_scores')
      .select('conduct_micro')
      .where('scope', '=', 'global')
      .executeTakeFirstOrThrow();
    // 7,000 contributions of 0.001 points.
    assert.equal(Number(score.conduct_micro), ENVS * METRICS.length * 1000);
    assert.equal((await rebuildReputation(t.ctx, { dryRun: true })).consistent, true);
    await t.app.close();
  },
  { timeout: 180_000 },
);
