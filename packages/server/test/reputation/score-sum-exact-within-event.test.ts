// docs/reputation.md, "The sum bound": lane sums stay within ±(2^53 - 1) micro-points, where a JS number is exact, and
// an event is checked by its net change. An event with a boost and a hurt value in one lane near the bound has a net
// change within it, but adding its values one by one went past 2^53 in between: the sum was rounded there, and the
// stored sum came out one micro-point off (9007198754740991 + 10^9 - 10^9 gave 9007198754740992). The rows are seeded
// near the bound through the storage layer, as in score-sum-bound.test.ts.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { event, ingest } from '../integrators/helpers.ts';
import { laneSums, NEAR_BOUND, seedNearBound, shopAndAgent } from './near-bound.ts';

const METRICS = [
  { metricKey: 'tasks', polarity: 'boost' as const, weight: 100, lane: 'conduct' as const },
  { metricKey: 'complaints', polarity: 'hurt' as const, weight: 100, lane: 'conduct' as const },
];

eachEngine('a boost and a hurt value of one event near the bound leave the lane sum exact', async ({ open }) => {
  const storage = await open();
  const { t, key, agent } = await shopAndAgent(storage, METRICS);
  await seedNearBound(storage, agent.id); // 500 points short of the bound, an odd number
  // +1,000 points then -1,000 points: no net change, but the first alone would go 500 points past the bound.
  const res = await ingest(t, key, [
    event('shop', agent, [
      { metricKey: 'tasks', numberValue: 10 },
      { metricKey: 'complaints', numberValue: 10 },
    ]),
  ]);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(
    res.body.results.map((r) => [r.inserted, r.code]),
    [[true, undefined]],
  );
  assert.deepEqual(await laneSums(storage, agent.id), [
    ['global', String(NEAR_BOUND)],
    ['shop', String(NEAR_BOUND)],
  ]);
  await t.app.close();
});
