// The rebuild reads the history 5,000 events a page (rebuild.ts). No test stored more than one page, so a replay that
// stopped after the first page, or read a page again, passed the suite. 6,000 events, the last 1,000 the only ones
// that move a score: the rebuild must count all 6,000 and agree with the incremental rows.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { appWithAllowingAgent, ingest } from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';

const METRICS: MetricSpec[] = [
  { metricKey: 'tasks', polarity: 'boost', weight: 0.5, lane: 'conduct', maxPerDay: 1000 },
];

eachEngine(
  'the rebuild replays every page of the history',
  async ({ open }) => {
    const storage = await open();
    const { t, key, agent } = await appWithAllowingAgent(storage, 'shop', METRICS);
    for (let round = 0; round < 6; round++) {
      // Rounds 0 to 4 carry no metric value; round 5, in an environment of its own, counts 50 contributions.
      const events = Array.from({ length: 1000 }, (_, i) => ({
        envId: round === 5 ? 'shop.late.v1' : 'shop.production.v1',
        externalEventId: `r${round}-${i}`,
        eventType: 'task.completed',
        subjectType: 'agent',
        subjectId: agent.did,
        actorType: 'human',
        actorId: 'user-1',
        metricValues: round === 5 ? [{ metricKey: 'tasks', numberValue: 1 }] : [],
      }));
      t.clock.advance(1000);
      const res = await ingest(t, key, events);
      assert.equal(res.status, 200);
      assert.equal(res.body.count, 1000);
    }
    const dry = await rebuildReputation(t.ctx, { dryRun: true });
    assert.deepEqual(dry, { events: 6000, penalties: 0, agents: 1, consistent: true, written: false });
    const row = await storage.db
      .selectFrom('reputation_scores')
      .select('conduct_micro')
      .where('scope', '=', 'global')
      .executeTakeFirstOrThrow();
    assert.equal(Number(row.conduct_micro), 50 * 500_000);
    await t.app.close();
  },
  { timeout: 180_000 },
);
