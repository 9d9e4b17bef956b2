// docs/reputation.md: a metric value moves `lastEventAt` to max(lastEventAt, occurredAt), and a score's `updatedAt` is
// the latest receipt time applied to it. Both are kept twice, as a maximum in the update (state.ts) and as a maximum
// in the upsert that adds a batch to the stored rows (store.ts), and the rebuild replays the same update: writing the
// last value seen in both places (the latest event sent, the latest batch written) kept incremental rows and rebuild
// equal, so only answers for events sent out of order, and a clock that went back, can tell.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { appWithAllowingAgent, event, ingest, resolve } from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';
import type { TestApp } from '../helpers/app.ts';

const DAY = 86_400_000;
const METRICS: MetricSpec[] = [{ metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct', maxPerDay: 1000 }];

async function ok(t: TestApp, key: string, events: unknown[]): Promise<void> {
  const res = await ingest(t, key, events);
  assert.equal(res.status, 200);
  assert.ok(res.body.success, JSON.stringify(res.body));
}

eachEngine('lastEventAt is the latest occurredAt, whatever order the events came in', async ({ open }) => {
  const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
  const now = t.clock.now();
  const tasks = (occurredAt: number) => event('shop', agent, [{ metricKey: 'tasks', numberValue: 1 }], { occurredAt });
  // Within one batch: the later event first.
  await ok(t, key, [tasks(now), tasks(now - 2 * DAY)]);
  const lastOf = async () => (await resolve(t, agent.did, key)).body.metricBreakdown[0].lastEventAt as number;
  assert.equal(await lastOf(), now);
  // In a later batch: an earlier event.
  await ok(t, key, [tasks(now - DAY)]);
  assert.equal(await lastOf(), now);
  const r = await resolve(t, agent.did, key);
  assert.equal(r.body.metricBreakdown[0].totalEvents, 3);
  assert.equal((await rebuildReputation(t.ctx, { dryRun: true })).consistent, true);
  await t.app.close();
});

eachEngine('a score updatedAt does not go back when the clock does', async ({ open }) => {
  const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
  const first = t.clock.now();
  await ok(t, key, [event('shop', agent, [{ metricKey: 'tasks', numberValue: 1 }])]);
  // Another process whose clock is an hour behind (or this one's, set back) receives the next batch.
  t.clock.set(first - 3_600_000);
  await ok(t, key, [event('shop', agent, [{ metricKey: 'tasks', numberValue: 1 }])]);
  const r = await resolve(t, agent.did, key);
  assert.equal(r.body.score.laneScores.conduct, 52);
  assert.equal(r.body.score.updatedAt, first);
  assert.equal(r.body.integratorScore.updatedAt, first);
  assert.equal((await rebuildReputation(t.ctx, { dryRun: true })).consistent, true);
  await t.app.close();
});
