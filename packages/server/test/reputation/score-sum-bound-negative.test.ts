// docs/reputation.md, "The sum bound": every lane sum is kept within ±(2^53 - 1) micro-points, the negative side as
// the positive. Ingestion reads only the score rows within the batch's reach of the bound; only sums near +2^53 were
// tested, so reading rows near the positive side alone (mutation: drop the `< -b` half of loadScoresNearBound's
// filter) let a hurt event take a sum past -(2^53 - 1). The rows are seeded near the bound through the storage layer,
// as in score-sum-bound.test.ts.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { event, ingest } from '../integrators/helpers.ts';
import { laneSums, seedNearBound, shopAndAgent } from './near-bound.ts';

const MAX = Number.MAX_SAFE_INTEGER;
const METRICS = [{ metricKey: 'complaints', polarity: 'hurt' as const, weight: 100, lane: 'presence' as const }];

eachEngine('a hurt event that would take a lane sum past -(2^53 - 1) is refused', async ({ open }) => {
  const storage = await open();
  const { t, key, agent } = await shopAndAgent(storage, METRICS);
  await seedNearBound(storage, agent.id, { lane: 'presence', negative: true }); // 500 points short of the bound
  const res = await ingest(t, key, [
    event('shop', agent, [{ metricKey: 'complaints', numberValue: 10 }], { externalEventId: 'past' }), // -1,000
    event('shop', agent, [{ metricKey: 'complaints', numberValue: 5 }], { externalEventId: 'to-the-bound' }), // -500
  ]);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(
    res.body.results.map((r) => [r.externalEventId, r.inserted, r.code]),
    [
      ['past', false, 'SCORE_SUM_LIMIT'],
      ['to-the-bound', true, undefined],
    ],
  );
  assert.deepEqual(await laneSums(storage, agent.id, 'presence'), [
    ['global', String(-MAX)],
    ['shop', String(-MAX)],
  ]);
  await t.app.close();
});
