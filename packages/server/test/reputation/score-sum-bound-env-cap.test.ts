// docs/reputation.md, "The sum bound": an event is refused (SCORE_SUM_LIMIT) only when the contributions that would
// count by the rules take a lane sum past 2^53 - 1 micro-points. A value the environment allowance stops, because an
// earlier value of the same event took its last slot, counts nothing and must not be added to the check. No test had
// an event that filled the environment allowance near the bound, so ReputationState.fits not taking the slot
// (mutation: drop `envCounted += 1`) refused such an event. The rows are seeded near the bound through the storage
// layer, as in score-sum-bound.test.ts.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { allow, createIntegrator, event, ingest, registerAgent, repApp } from '../integrators/helpers.ts';
import { seedNearBound } from './near-bound.ts';

const MAX = Number.MAX_SAFE_INTEGER;
const CAP = 50; // VOUCH_REPUTATION_ENVIRONMENT_CAP's default
const METRICS = [
  { metricKey: 'tasks', polarity: 'boost' as const, weight: 100, lane: 'conduct' as const },
  { metricKey: 'bonus', polarity: 'boost' as const, weight: 100, lane: 'conduct' as const },
];

eachEngine('a value the environment allowance stops does not count towards the sum bound', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  const key = await createIntegrator(t, 'shop', METRICS);
  const agent = await registerAgent(t);
  await allow(t, agent, 'shop');
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
  const rows = await sql<{ scope: string; v: string }>`select scope, cast(conduct_micro as text) as v
    from reputation_scores where agent_id = ${agent.id} order by scope`.execute(storage.db);
  assert.deepEqual(
    rows.rows.map((r) => [r.scope, String(r.v)]),
    [
      ['global', String(MAX)],
      ['shop', String(MAX)],
    ],
  );
  await t.app.close();
});
