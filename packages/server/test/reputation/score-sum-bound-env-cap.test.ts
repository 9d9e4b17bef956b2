// docs/reputation.md, "The sum bound": an event is refused (SCORE_SUM_LIMIT) only when the contributions that would
// count by the rules take a lane sum past 2^53 - 1 micro-points. A value the environment allowance stops, because an
// earlier value of the same event took its last slot, counts nothing and must not be added to the check. No test had
// an event that filled the environment allowance near the bound, so ReputationState.fits not taking the slot
// (mutation: drop `envCounted += 1`) refused such an event. The rows are seeded near the bound through the storage
// layer, as in score-sum-bound.test.ts.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { event, ingest } from '../integrators/helpers.ts';
import { laneSums, seedNearBound, shopAndAgent } from './near-bound.ts';

const MAX = Number.MAX_SAFE_INTEGER;
const CAP = 50; // VOUCH_REPUTATION_ENVIRONMENT_CAP's default
const METRICS = [
  { metricKey: 'tasks', polarity: 'boost' as const, weight: 100, lane: 'conduct' as const },
  { metricKey: 'bonus', polarity: 'boost' as const, weight: 100, lane: 'conduct' as const },
];

eachEngine('a value the environment allowance stops does not count towards the sum bound', async ({ open }) => {
  const storage = await open();
  const { t, key, agent } = await shopAndAgent(storage, METRICS);
  // 500 points short of the bound, one slot left in the environment.
  await seedNearBound(storage, agent.id, { envCounted: CAP - 1 });
  // `tasks` takes the last slot (+500 points: exactly to the bound); `bonus` finds the allowance full and counts
  // nothing.
  const res = await ingest(t, key, [
    event('shop', agent, [
      { metricKey: 'tasks', numberValue: 5 },
      { metricKey: 'bonus', booleanValue: true },
    ]),
  ]);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(
    res.body.results.map((r) => [r.inserted, r.code]),
    [[true, undefined]],
  );
  assert.deepEqual(await laneSums(storage, agent.id), [
    ['global', String(MAX)],
    ['shop', String(MAX)],
  ]);
  await t.app.close();
});
