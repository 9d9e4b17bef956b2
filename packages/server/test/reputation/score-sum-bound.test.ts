// Lane sums have no natural bound: namespaces are free, an environment counts up to 1,000,000 contributions (the
// cap's largest setting) and one contribution is up to 10^9 micro-points, so an integrator can drive an agent's sums
// past 2^53 (where a JS number stops being exact, and where PostgreSQL's int8 parser refuses the value) and towards
// int8's maximum. Reaching the bound for real takes millions of events, so the rows are seeded near it through the
// storage layer and one more batch goes through the real route: an event whose counted contributions would take a
// stored sum past Number.MAX_SAFE_INTEGER micro-points is refused (SCORE_SUM_LIMIT, nothing of it written); one that
// stays within is stored exactly. Rows beyond the bound (written before it existed) are read without a 500 and the
// rebuild replaces them.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Storage } from '../../src/storage/index.ts';
import { utcDay } from '../../src/modules/reputation/formula.ts';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { ADMIN, event, ingest, post, resolve } from '../integrators/helpers.ts';
import { laneSums, seedNearBound, shopAndAgent } from './near-bound.ts';

const MAX = Number.MAX_SAFE_INTEGER;
const METRICS = [
  { metricKey: 'tasks', polarity: 'boost' as const, weight: 100, lane: 'conduct' as const },
  { metricKey: 'complaints', polarity: 'hurt' as const, weight: 100, lane: 'conduct' as const },
  { metricKey: 'views', polarity: 'neutral' as const, weight: 100, lane: 'conduct' as const },
  { metricKey: 'rare', polarity: 'boost' as const, weight: 100, lane: 'conduct' as const, maxPerDay: 1 },
];

async function storedConduct(storage: Storage, agentId: string): Promise<Record<string, string>> {
  return Object.fromEntries(await laneSums(storage, agentId));
}

async function eventIds(storage: Storage): Promise<string[]> {
  const rows = await sql<{ id: string }>`select external_event_id as id from reputation_events order by seq`.execute(
    storage.db,
  );
  return rows.rows.map((r) => r.id);
}

eachEngine(
  'an event that would take a lane sum past 2^53 - 1 micro-points is refused; within, sums stay exact',
  async ({ open }) => {
    const storage = await open();
    const { t, key, agent } = await shopAndAgent(storage, METRICS);
    // Today's one `rare` contribution already counted: another takes no slot and moves no sum.
    await seedNearBound(storage, agent.id, {
      days: [
        { agentId: agent.id, envId: 'shop.production.v1', metricKey: 'rare', day: utcDay(t.clock.now()), counted: 1 },
      ],
      envCounted: 0,
    });
    const res = await ingest(t, key, [
      event('shop', agent, [{ metricKey: 'tasks', numberValue: 10 }], { externalEventId: 'over' }), // +1,000 points
      event('shop', agent, [{ metricKey: 'tasks', numberValue: 5 }], { externalEventId: 'to-the-bound' }), // +500
      event('shop', agent, [{ metricKey: 'views', numberValue: 3 }], { externalEventId: 'neutral' }), // 0
      event('shop', agent, [{ metricKey: 'rare', booleanValue: true }], { externalEventId: 'capped' }), // day full
      event('shop', agent, [{ metricKey: 'tasks', booleanValue: true }], { externalEventId: 'over-by-one' }), // +100
      event('shop', agent, [{ metricKey: 'complaints', booleanValue: true }], { externalEventId: 'hurt' }), // -100
    ]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.results.map((r) => [r.externalEventId, r.inserted, r.code]),
      [
        ['over', false, 'SCORE_SUM_LIMIT'],
        ['to-the-bound', true, undefined],
        ['neutral', true, undefined],
        ['capped', true, undefined],
        ['over-by-one', false, 'SCORE_SUM_LIMIT'],
        ['hurt', true, undefined],
      ],
    );
    assert.equal(res.body.count, 4);
    assert.equal(res.body.success, false);
    assert.deepEqual(
      await eventIds(storage),
      ['to-the-bound', 'neutral', 'capped', 'hurt'],
      'refused events are not stored',
    );
    const exact = String(MAX - 100_000_000);
    assert.deepEqual(await storedConduct(storage, agent.id), { global: exact, shop: exact });

    // The refused events, retried, are refused again; nothing is written.
    const before = await tableCounts(storage);
    const retry = await ingest(t, key, [
      event('shop', agent, [{ metricKey: 'tasks', numberValue: 10 }], { externalEventId: 'over' }),
      event('shop', agent, [{ metricKey: 'tasks', numberValue: 10 }], { externalEventId: 'over' }),
    ]);
    assert.deepEqual(
      retry.body.results.map((r) => [r.externalEventId, r.inserted, r.code]),
      [
        ['over', false, 'SCORE_SUM_LIMIT'],
        ['over', false, 'SCORE_SUM_LIMIT'],
      ],
    );
    assert.deepEqual(await tableCounts(storage), before, 'nothing written');
    assert.deepEqual(await storedConduct(storage, agent.id), { global: exact, shop: exact });

    const read = await resolve(t, agent.did, key);
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.equal(read.body.score.laneScores.conduct, 100);
    assert.equal(read.body.integratorScore.laneScores.conduct, 100);
  },
);

// A score row near the bound is read (not added to blind), so an event that changes only its `updatedAt` (a neutral
// value) must still write it; mutation: drop the `updatedAt` test from ReputationState.changes().
eachEngine('a neutral event moves updatedAt of a score row read for being near the bound', async ({ open }) => {
  const storage = await open();
  const { t, key, agent } = await shopAndAgent(storage, METRICS);
  await seedNearBound(storage, agent.id, { envCounted: 0 });
  const res = await ingest(t, key, [
    // Its +1,000 points bring the rows within the batch's reach: they are read. It is refused.
    event('shop', agent, [{ metricKey: 'tasks', numberValue: 10 }], { externalEventId: 'over' }),
    event('shop', agent, [{ metricKey: 'views', numberValue: 3 }], { externalEventId: 'neutral' }),
  ]);
  assert.deepEqual(
    res.body.results.map((r) => [r.externalEventId, r.inserted, r.code]),
    [
      ['over', false, 'SCORE_SUM_LIMIT'],
      ['neutral', true, undefined],
    ],
  );
  const read = await resolve(t, agent.did, key);
  assert.equal(read.body.score.updatedAt, t.clock.now());
  assert.equal(read.body.integratorScore.updatedAt, t.clock.now());
  await t.app.close();
});

eachEngine('a lane sum stored near the int8 maximum answers no 5xx: read, refused, rebuilt', async ({ open }) => {
  const storage = await open();
  const { t, key, agent } = await shopAndAgent(storage, METRICS);
  // Written before the bound existed: 10^9 short of int8's maximum (9,223,372,036,854,775,807).
  for (const scope of ['global', 'shop']) {
    await sql`insert into reputation_scores (agent_id, scope, origin_micro, presence_micro, conduct_micro, penalty,
      environment_count, updated_at) values (${agent.id}, ${scope}, 0, 0, ${sql.raw('9223372035854775807')}, 0, 1, 1)`.execute(
      storage.db,
    );
  }
  const read = await resolve(t, agent.did, key);
  assert.equal(read.status, 200, JSON.stringify(read.body));
  assert.equal(read.body.score.laneScores.conduct, 100);

  const before = await tableCounts(storage);
  const res = await ingest(t, key, [
    event('shop', agent, [{ metricKey: 'tasks', numberValue: 10 }], { externalEventId: 'e1' }),
    event('shop', agent, [{ metricKey: 'tasks', numberValue: 10 }], { externalEventId: 'e2' }),
  ]);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(
    res.body.results.map((r) => [r.externalEventId, r.inserted, r.code]),
    [
      ['e1', false, 'SCORE_SUM_LIMIT'],
      ['e2', false, 'SCORE_SUM_LIMIT'],
    ],
  );
  assert.deepEqual(await tableCounts(storage), before, 'nothing written');

  const dry = await post(t, '/api/v1/admin/reputation/rebuild', { dryRun: true }, ADMIN);
  assert.equal(dry.statusCode, 200, dry.body);
  assert.equal(dry.json().consistent, false);
  const rebuilt = await post(t, '/api/v1/admin/reputation/rebuild', {}, ADMIN);
  assert.equal(rebuilt.statusCode, 200, rebuilt.body);
  assert.deepEqual(await storedConduct(storage, agent.id), {}, 'no history: the rows go');
  const after = await resolve(t, agent.did, key);
  assert.equal(after.status, 200, JSON.stringify(after.body));
  assert.equal(after.body.score.laneScores.conduct, 50);
});
