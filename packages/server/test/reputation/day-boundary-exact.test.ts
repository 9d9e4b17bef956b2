// The maxPerDay window is the UTC day of occurredAt, floor(occurredAt / 86,400,000) (docs/reputation.md): the first
// and the last millisecond of a day share its allowance, the next millisecond starts a new one. score.test.ts sends
// events a minute from midnight, which a day boundary moved by a millisecond either way does not reach.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { appWithAllowingAgent, event, ingest, resolve } from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';
import type { TestApp } from '../helpers/app.ts';

const METRICS: MetricSpec[] = [{ metricKey: 'daily', polarity: 'boost', weight: 1, lane: 'conduct', maxPerDay: 1 }];

async function ok(t: TestApp, key: string, events: unknown[]): Promise<void> {
  const res = await ingest(t, key, events);
  assert.equal(res.status, 200);
  assert.ok(res.body.success, JSON.stringify(res.body));
}

eachEngine(
  'the first and last millisecond of a UTC day share its maxPerDay, the next starts afresh',
  async ({ open }) => {
    const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
    t.clock.set(Date.UTC(2026, 0, 3));
    const daily = (occurredAt: number) =>
      event('shop', agent, [{ metricKey: 'daily', booleanValue: true }], { occurredAt });
    const dayStart = Date.UTC(2026, 0, 1);
    const nextDay = Date.UTC(2026, 0, 2);
    // maxPerDay 1: the day's first millisecond takes the slot, its last one finds it full.
    await ok(t, key, [daily(dayStart), daily(nextDay - 1)]);
    assert.equal((await resolve(t, agent.did, key)).body.score.laneScores.conduct, 51);
    // The next day's first millisecond has a slot of its own.
    await ok(t, key, [daily(nextDay)]);
    assert.equal((await resolve(t, agent.did, key)).body.score.laneScores.conduct, 52);
    await t.app.close();
  },
);
