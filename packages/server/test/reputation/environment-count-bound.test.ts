// reputation_scores.environment_count is a 32-bit `integer` on PostgreSQL (64-bit on SQLite) and grows by one for each
// environment an agent first gets an event in. Environment ids are the integrator's free choice, so enough events
// (1,000 a batch, from any number of integrators for the global row) take it to 2^31 - 1; the next new environment
// then failed the whole batch on PostgreSQL (22003 integer out of range, a 500) where SQLite counted on. The count now
// holds at 2^31 - 1 on both engines. The rows are seeded near the limit through the storage layer: reaching it for
// real takes 2^31 events.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import * as store from '../../src/modules/reputation/store.ts';
import { GLOBAL_SCOPE, ReputationState } from '../../src/modules/reputation/state.ts';
import { event, ingest, resolve } from '../integrators/helpers.ts';
import { shopAndAgent } from './near-bound.ts';

const INT4_MAX = 2 ** 31 - 1;
const METRICS = [{ metricKey: 'tasks', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];

eachEngine('an environment past 2^31 - 1 for an agent leaves its environment count at 2^31 - 1', async ({ open }) => {
  const storage = await open();
  const { t, key, agent } = await shopAndAgent(storage, METRICS);
  const row = (scope: string) => ({
    agentId: agent.id,
    scope,
    micro: { origin: 0, presence: 0, conduct: 0 },
    penalty: 0,
    environmentCount: INT4_MAX,
    updatedAt: 1,
  });
  await store.flushState(storage.db, storage.engine, {
    scores: [row('global'), row('shop')],
    totals: [],
    days: [],
    envs: [],
  });

  const res = await ingest(t, key, [
    event('shop', agent, [{ metricKey: 'tasks', numberValue: 1 }], { envId: 'shop.one.v1' }),
    event('shop', agent, [{ metricKey: 'tasks', numberValue: 1 }], { envId: 'shop.two.v1' }),
  ]);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(
    res.body.results.map((r) => r.inserted),
    [true, true],
  );
  const counts = await sql<{ scope: string; n: string }>`select scope, cast(environment_count as text) as n
    from reputation_scores where agent_id = ${agent.id} order by scope`.execute(storage.db);
  assert.deepEqual(
    counts.rows.map((r) => [r.scope, String(r.n)]),
    [
      ['global', String(INT4_MAX)],
      ['shop', String(INT4_MAX)],
    ],
  );
  const r = await resolve(t, agent.did, key);
  assert.equal(r.status, 200);
  assert.equal(r.body.integratorScore.environmentCount, INT4_MAX);
  await t.app.close();
});

// The in-memory count holds too: a rebuild counts from empty state and writes its totals as inserted values, which a
// count past 2^31 - 1 would fail on PostgreSQL the same way.
test('ReputationState holds an environment count at 2^31 - 1', () => {
  const state = new ReputationState(50);
  const row = (scope: string) => ({
    agentId: 'a',
    scope,
    micro: { origin: 0, presence: 0, conduct: 0 },
    penalty: 0,
    environmentCount: INT4_MAX,
    updatedAt: 1,
  });
  state.addLoaded({ scores: [row(GLOBAL_SCOPE), row('shop')] });
  const metrics = new Map([['tasks', { ...METRICS[0]!, maxPerDay: 10 }]]);
  const ev = { agentId: 'a', integratorSlug: 'shop', occurredAt: 1, receivedAt: 2, metrics };
  assert.equal(
    state.apply({ ...ev, envId: 'shop.one.v1', metricValues: [{ metricKey: 'tasks', numberValue: 1 }] }),
    true,
  );
  assert.equal(state.score('a', GLOBAL_SCOPE).environmentCount, INT4_MAX);
  assert.equal(state.score('a', 'shop').environmentCount, INT4_MAX);
  assert.deepEqual(
    state.changes().scores.map((s) => [s.scope, s.environmentCount]),
    [
      [GLOBAL_SCOPE, 0],
      ['shop', 0],
    ],
  );
});
