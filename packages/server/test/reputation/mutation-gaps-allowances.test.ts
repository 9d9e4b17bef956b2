// What takes a slot of an agent's allowances (docs/reputation.md, "How an event counts"): only a boost or hurt value
// with a non-zero contribution. Neutral metrics, false booleans and zero numbers sent first must leave every slot of
// the per-day and per-environment allowances to the contributions that follow. And `updatedAt` is when the score
// changed (the event's arrival), not when the event says it happened.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { appWithAllowingAgent, event, ingest, resolve } from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';
import type { TestApp } from '../helpers/app.ts';

const DAY = 86_400_000;
const METRICS: MetricSpec[] = [
  { metricKey: 'daily', polarity: 'boost', weight: 1, lane: 'conduct', maxPerDay: 3 },
  { metricKey: 'colour', polarity: 'neutral', weight: 5, lane: 'conduct', maxPerDay: 1000 },
  { metricKey: 'tasks', polarity: 'boost', weight: 2, lane: 'presence', maxPerDay: 1000 },
];

async function ok(t: TestApp, key: string, events: unknown[]): Promise<void> {
  const res = await ingest(t, key, events);
  assert.equal(res.status, 200);
  assert.ok(res.body.success, JSON.stringify(res.body));
}

eachEngine('zero contributions sent first take no per-day slot', async ({ open }) => {
  const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
  const daily = (v: Record<string, unknown>) => event('shop', agent, [{ metricKey: 'daily', ...v }]);
  // Three zero contributions of the capped metric, then three that count (maxPerDay 3).
  await ok(t, key, [
    daily({ booleanValue: false }),
    daily({ numberValue: 0 }),
    daily({ booleanValue: false }),
    daily({ booleanValue: true }),
    daily({ booleanValue: true }),
    daily({ booleanValue: true }),
  ]);
  const r = await resolve(t, agent.did, key);
  assert.equal(r.body.score.laneScores.conduct, 53);
  const row = r.body.metricBreakdown.find((m: { metricKey: string }) => m.metricKey === 'daily');
  assert.equal(row.totalEvents, 6, 'every value counts in totalEvents');
  assert.equal(row.weightedContribution, 3);
  const days = await t.ctx.storage.db.selectFrom('reputation_day_counts').select('counted').execute();
  assert.deepEqual(
    days.map((d) => Number(d.counted)),
    [3],
  );
  assert.equal((await rebuildReputation(t.ctx, { dryRun: true })).consistent, true);
  await t.app.close();
});

eachEngine('neutral values sent first take no slot of the environment cap', async ({ open }) => {
  const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
  // The default environment cap is 50: fifty neutral values on fifty days, then one contribution.
  await ok(
    t,
    key,
    Array.from({ length: 50 }, (_, i) =>
      event('shop', agent, [{ metricKey: 'colour', enumValue: 'red' }], { occurredAt: t.clock.now() - i * DAY }),
    ),
  );
  await ok(t, key, [event('shop', agent, [{ metricKey: 'tasks', numberValue: 1 }])]);
  const r = await resolve(t, agent.did, key);
  assert.equal(r.body.score.laneScores.presence, 52);
  const envs = await t.ctx.storage.db.selectFrom('reputation_env_counts').select('counted').execute();
  assert.deepEqual(
    envs.map((e) => Number(e.counted)),
    [1],
  );
  await t.app.close();
});

eachEngine('updatedAt is when the events arrived, not when they say they happened', async ({ open }) => {
  const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
  const arrived = t.clock.now();
  await ok(t, key, [event('shop', agent, [{ metricKey: 'tasks', numberValue: 1 }], { occurredAt: arrived - 3 * DAY })]);
  const r = await resolve(t, agent.did, key);
  assert.equal(r.body.score.updatedAt, arrived);
  assert.equal(r.body.integratorScore.updatedAt, arrived);
  assert.equal(r.body.metricBreakdown[0].lastEventAt, arrived - 3 * DAY);
  await t.app.close();
});
