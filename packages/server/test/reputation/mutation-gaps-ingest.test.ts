// Gaps found by mutation testing, in ingestion:
// - two copies of one event (same externalEventId) in one batch, BOTH valid: the event is stored once and must
//   count once. The copy finds the seq of the stored row too; only the first of them may be scored, or an
//   integrator could multiply any event's weight by repeating it inside a batch (and the rebuild would disagree).
//   The existing test of in-batch copies paired each valid event with an invalid copy, which never reaches scoring.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { getGlobalScore } from '../../src/modules/reputation/service.ts';
import { rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { countQueries, selectsFrom } from '../helpers/query-count.ts';
import {
  allow,
  appWithAllowingAgent,
  createIntegrator,
  event,
  ingest,
  registerAgent,
  repApp,
} from '../integrators/helpers.ts';

const METRICS = [{ metricKey: 'tasks_completed', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];

eachEngine('valid copies of one event in a batch are stored and scored once', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  const key = await createIntegrator(t, 'shop', METRICS);
  const copied = await registerAgent(t);
  const control = await registerAgent(t);
  await allow(t, copied, 'shop');
  await allow(t, control, 'shop');
  const mv = [{ metricKey: 'tasks_completed', numberValue: 4 }];

  const res = await ingest(t, key, [
    event('shop', copied, mv, { externalEventId: 'dup' }),
    event('shop', copied, mv, { externalEventId: 'dup' }),
    event('shop', copied, mv, { externalEventId: 'dup' }),
    event('shop', control, mv, { externalEventId: 'single' }),
  ]);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(
    res.body.results.map((r) => [r.externalEventId, r.inserted, r.code]),
    [
      ['dup', true, undefined],
      ['dup', false, undefined],
      ['dup', false, undefined],
      ['single', true, undefined],
    ],
  );
  assert.equal(res.body.count, 2);
  const stored = await storage.db.selectFrom('reputation_events').select('external_event_id').execute();
  assert.deepEqual(stored.map((r) => r.external_event_id).sort(), ['dup', 'single']);

  // The copied event counts exactly like the single one: 50 + 0.5 × 4 = 52.
  assert.equal(await getGlobalScore(t.ctx, control.id), 52);
  assert.equal(await getGlobalScore(t.ctx, copied.id), 52);
  const totals = await storage.db
    .selectFrom('reputation_metric_totals')
    .select(['agent_id', 'total_events'])
    .where('agent_id', '=', copied.id)
    .execute();
  assert.deepEqual(
    totals.map((r) => Number(r.total_events)),
    [1],
  );
  // And the scores agree with the rebuild from the stored events.
  const report = await rebuildReputation(t.ctx, { dryRun: true });
  assert.equal(report.consistent, true);
  await t.app.close();
});

eachEngine(
  'a batch naming hundreds of environment versions reads which are published in one query, not one each',
  async ({ open }) => {
    const q = countQueries(await open(), (node) => selectsFrom(node, 'integrator_environment_versions'));
    const { t, key, agent } = await appWithAllowingAgent(q.storage, 'shop', [
      { metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct' },
    ]);
    try {
      const mv = [{ metricKey: 'tasks', numberValue: 1 }];
      const batch = Array.from({ length: 300 }, (_, i) =>
        event('shop', agent, mv, { envId: `shop.production.v${i + 1}` }),
      );
      const before = q.counted();
      const res = await ingest(t, key, batch);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const codes = res.body.results.map((r) => r.code ?? 'ok');
      assert.deepEqual(codes.slice(0, 2), ['ok', 'ENVIRONMENT_NOT_FOUND']);
      assert.equal(new Set(codes.slice(1)).size, 1, 'every version but v1 is unpublished');
      assert.equal(res.body.count, 1);
      assert.ok(q.counted() - before <= 1, `${q.counted() - before} reads of the published versions`);
    } finally {
      await t.app.close();
    }
  },
);
