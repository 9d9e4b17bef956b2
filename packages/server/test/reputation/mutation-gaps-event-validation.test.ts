// Event checks that need no database, each refusing only its own event: a metric key given twice in one event
// (it would count twice, in totalEvents and in the allowances), and an occurredAt before the epoch.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { appWithAllowingAgent, event, ingest } from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';

const METRICS: MetricSpec[] = [{ metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct' }];

eachEngine('a repeated metric key or a negative occurredAt refuses the event, and only it', async ({ open }) => {
  const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
  const repeated = event('shop', agent, [
    { metricKey: 'tasks', booleanValue: true },
    { metricKey: 'tasks', booleanValue: true },
  ]);
  const negative = event('shop', agent, [{ metricKey: 'tasks', booleanValue: true }], { occurredAt: -86_400_000 });
  const good = event('shop', agent, [{ metricKey: 'tasks', booleanValue: true }]);
  const res = await ingest(t, key, [repeated, negative, good]);
  assert.equal(res.status, 200);
  assert.deepEqual(
    res.body.results.map((r) => [r.inserted, r.code ?? null]),
    [
      [false, 'VALIDATION_FAILED'],
      [false, 'VALIDATION_FAILED'],
      [true, null],
    ],
  );
  assert.match(String(res.body.results[0]!.error), /metricValues\[1\]\.metricKey repeats "tasks"/);
  assert.match(String(res.body.results[1]!.error), /occurredAt/);
  const rows = await t.ctx.storage.db.selectFrom('reputation_events').select('external_event_id').execute();
  assert.deepEqual(
    rows.map((r) => r.external_event_id),
    [good.externalEventId],
  );
  const totals = await t.ctx.storage.db.selectFrom('reputation_metric_totals').select('total_events').execute();
  assert.deepEqual(
    totals.map((r) => Number(r.total_events)),
    [1],
  );
  await t.app.close();
});

eachEngine(
  'a numberValue that is not a number, or more than 100 metric values, is a validation error',
  async ({ open }) => {
    const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
    const text = event('shop', agent, [{ metricKey: 'tasks', numberValue: '5' }]);
    const many = event(
      'shop',
      agent,
      Array.from({ length: 101 }, (_, i) => ({ metricKey: `m${i}`, booleanValue: true })),
    );
    const good = event('shop', agent, [{ metricKey: 'tasks', numberValue: 2 }]);
    const res = await ingest(t, key, [text, many, good]);
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.results.map((r) => [r.inserted, r.code ?? null]),
      [
        [false, 'VALIDATION_FAILED'],
        [false, 'VALIDATION_FAILED'],
        [true, null],
      ],
    );
    assert.match(String(res.body.results[0]!.error), /numberValue must be a finite number/);
    assert.match(String(res.body.results[1]!.error), /at most 100 values/);
    const totals = await t.ctx.storage.db
      .selectFrom('reputation_metric_totals')
      .select(['total_events', 'weighted_micro'])
      .execute();
    assert.deepEqual(
      totals.map((r) => [Number(r.total_events), Number(r.weighted_micro)]),
      [[1, 2_000_000]],
    );
    await t.app.close();
  },
);
