// docs/reputation.md, "The sum bound": an event is refused when it would take a lane sum of EITHER scope, global or
// the integrator's, past 2^53 - 1 micro-points. Every test seeded both scopes at the same sum, so the global check
// alone refused each event they sent, and a check of the global sums only (mutation: drop the integrator's row from
// ReputationState.fits) passed every score-sum test. The two scopes differ once other integrators have moved the
// global sums: here the integrator's sum is near the bound and the global one at 0, and then the other way round.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { event, ingest } from '../integrators/helpers.ts';
import { laneSums, NEAR_BOUND, seedNearBound, shopAndAgent } from './near-bound.ts';

const MAX = Number.MAX_SAFE_INTEGER;
const METRICS = [{ metricKey: 'sale', polarity: 'boost' as const, weight: 100, lane: 'conduct' as const }];

for (const near of ['shop', 'global'] as const) {
  eachEngine(`an event that would take only the ${near} lane sum past the bound is refused`, async ({ open }) => {
    const storage = await open();
    const { t, key, agent } = await shopAndAgent(storage, METRICS);
    await seedNearBound(storage, agent.id, { near: [near] }); // 500 points short of the bound in that scope only
    const res = await ingest(t, key, [
      event('shop', agent, [{ metricKey: 'sale', numberValue: 10 }], { externalEventId: 'past' }), // +1,000 points
      event('shop', agent, [{ metricKey: 'sale', numberValue: 5 }], { externalEventId: 'to-the-bound' }), // +500
    ]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.results.map((r) => [r.externalEventId, r.inserted, r.code]),
      [
        ['past', false, 'SCORE_SUM_LIMIT'],
        ['to-the-bound', true, undefined],
      ],
    );
    const far = String(MAX - NEAR_BOUND); // the 500 points the accepted event added to the scope seeded at 0
    assert.deepEqual(await laneSums(storage, agent.id), [
      ['global', near === 'global' ? String(MAX) : far],
      ['shop', near === 'shop' ? String(MAX) : far],
    ]);
    await t.app.close();
  });
}
