// The rebuild replays events in `seq` order, the order they were stored (docs/reputation.md, "Rebuild"), whatever
// order the database keeps their rows in. An update of a row (any row change, or rows written where deleted ones
// were) moves it on PostgreSQL's heap, so a scan without ORDER BY reads it out of order and allowances go to the
// wrong event. rebuild.test.ts never moves a row, so it read the heap in seq order with or without the ORDER BY.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { appWithAllowingAgent, event, ingest, resolve } from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';

const METRICS: MetricSpec[] = [{ metricKey: 'n', polarity: 'boost', weight: 1, lane: 'conduct', maxPerDay: 1 }];

eachEngine('the rebuild replays events in seq order even when a row has moved', async ({ open }) => {
  const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
  // maxPerDay 1: the first event (1 point) takes the day's slot, the second (2 points) finds it full.
  const first = event('shop', agent, [{ metricKey: 'n', numberValue: 1 }]);
  const second = event('shop', agent, [{ metricKey: 'n', numberValue: 2 }]);
  assert.equal((await ingest(t, key, [first, second])).status, 200);
  assert.equal((await resolve(t, agent.did, key)).body.score.laneScores.conduct, 51);
  // Rewrite the first row unchanged: on PostgreSQL its new version lands after the second on the heap.
  await t.ctx.storage.db
    .updateTable('reputation_events')
    .set({ event_type: 'task.completed' })
    .where('external_event_id', '=', first.externalEventId as string)
    .execute();
  const report = await rebuildReputation(t.ctx, { dryRun: false });
  assert.equal(report.consistent, true);
  assert.equal((await resolve(t, agent.did, key)).body.score.laneScores.conduct, 51);
  await t.app.close();
});
