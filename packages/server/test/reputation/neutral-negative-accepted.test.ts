// docs/reputation.md, "The formula": boost and hurt metrics refuse negative numbers; a neutral metric takes any finite
// number (a temperature, a balance), stored and counted in totalEvents, moving no score. Only the refusal was tested:
// a check refusing negatives for every polarity passed the suite.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { appWithAllowingAgent, event, ingest, resolve } from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';

const METRICS: MetricSpec[] = [
  { metricKey: 'balance', polarity: 'neutral', weight: 3, lane: 'conduct' },
  { metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct' },
];

eachEngine('a neutral metric accepts a negative number; boost still refuses one', async ({ open }) => {
  const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
  const res = await ingest(t, key, [
    event('shop', agent, [{ metricKey: 'balance', numberValue: -12.5 }], { externalEventId: 'neutral-negative' }),
    event('shop', agent, [{ metricKey: 'tasks', numberValue: -1 }], { externalEventId: 'boost-negative' }),
  ]);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.results[0], { externalEventId: 'neutral-negative', inserted: true });
  assert.equal(res.body.results[1]!.code, 'VALIDATION_FAILED');
  assert.equal(res.body.count, 1);
  const r = await resolve(t, agent.did, key);
  assert.deepEqual(
    r.body.metricBreakdown.map((m: Record<string, unknown>) => [m.metricKey, m.totalEvents, m.weightedContribution]),
    [['balance', 1, 0]],
  );
  assert.equal(r.body.score.score, 50);
  await t.app.close();
});
