// The rebuild replays only events about agents: an event whose subject is a human or an organization is stored
// (agent_id null) but scores nobody, so the rebuild must find the stored rows consistent and leave them as they are.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { readDerivedState, rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { appWithAllowingAgent, event, ingest } from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';

const METRICS: MetricSpec[] = [{ metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct' }];

eachEngine('events about humans and organizations score nobody, in the rebuild too', async ({ open }) => {
  const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
  const res = await ingest(t, key, [
    event('shop', agent, [{ metricKey: 'tasks', numberValue: 2 }]),
    event('shop', 'user-42', [{ metricKey: 'tasks', numberValue: 5 }], { subjectType: 'human' }),
    event('shop', 'acme-corp', [{ metricKey: 'tasks', numberValue: 5 }], { subjectType: 'organization' }),
  ]);
  assert.equal(res.status, 200);
  assert.ok(res.body.success, JSON.stringify(res.body));
  const stored = await t.ctx.storage.db.selectFrom('reputation_events').select('agent_id').orderBy('seq').execute();
  assert.deepEqual(
    stored.map((r) => r.agent_id),
    [agent.id, null, null],
  );
  const before = await readDerivedState(t.ctx.storage.db);
  assert.deepEqual(
    before.scores.map((s) => s.agentId),
    [agent.id, agent.id],
  );

  const dry = await rebuildReputation(t.ctx, { dryRun: true });
  assert.deepEqual(dry, { events: 1, penalties: 0, agents: 1, consistent: true, written: false });
  const real = await rebuildReputation(t.ctx);
  assert.equal(real.consistent, true);
  assert.deepEqual(await readDerivedState(t.ctx.storage.db), before);
  await t.app.close();
});
