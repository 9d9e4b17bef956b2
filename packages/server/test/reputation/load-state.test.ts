// The rows an ingest batch reads before it applies its events: only those of its own agents, environments and days.
// An agent seen in many environments (one row each, which any integrator can add) must not make every batch that
// touches it read them all: one integrator could slow every other integrator's ingests of that agent.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { loadState } from '../../src/modules/reputation/store.ts';

eachEngine('an ingest batch reads only the allowance rows of its own environments and days', async ({ open }) => {
  const storage = await open();
  const db = storage.db;
  const envRows = [];
  for (let i = 0; i < 50; i++) {
    envRows.push({ agent_id: 'agent-a', env_id: `env-${i}`, integrator_slug: 'rival', counted: i });
  }
  envRows.push({ agent_id: 'agent-b', env_id: 'env-1', integrator_slug: 'shop', counted: 7 });
  await db.insertInto('reputation_env_counts').values(envRows).execute();
  await db
    .insertInto('reputation_day_counts')
    .values([
      { agent_id: 'agent-a', env_id: 'env-1', metric_key: 'm', day: 100, counted: 1 },
      { agent_id: 'agent-a', env_id: 'env-1', metric_key: 'm', day: 101, counted: 2 },
      { agent_id: 'agent-a', env_id: 'env-2', metric_key: 'm', day: 100, counted: 3 },
    ])
    .execute();

  const state = await loadState(db, { agentIds: ['agent-a', 'agent-a'], envIds: ['env-1'], days: [100] });
  assert.deepEqual(state.envs, [{ agentId: 'agent-a', envId: 'env-1', integratorSlug: 'rival', counted: 1 }]);
  assert.deepEqual(state.days, [{ agentId: 'agent-a', envId: 'env-1', metricKey: 'm', day: 100, counted: 1 }]);

  const both = await loadState(db, { agentIds: ['agent-a', 'agent-b'], envIds: ['env-1', 'env-49'], days: [101] });
  const key = (r: { agentId: string; envId: string }) => `${r.agentId}/${r.envId}`;
  assert.deepEqual(both.envs.map(key).sort(), ['agent-a/env-1', 'agent-a/env-49', 'agent-b/env-1']);
  assert.deepEqual(both.days.map(key), ['agent-a/env-1']);

  const none = await loadState(db, { agentIds: [], envIds: ['env-1'], days: [100] });
  assert.deepEqual(none, { days: [], envs: [] });
});
