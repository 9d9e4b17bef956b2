// Gaps found by mutation testing: ingestion's idempotency is per integrator. A refused event is answered as an
// already-stored retry (`inserted: false`, no error) only when THIS integrator stored that externalEventId. Looking
// the id up across integrators would hide the refusal from the caller and tell one integrator which event ids
// another has used.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { allow, createIntegrator, event, ingest, registerAgent, repApp } from '../integrators/helpers.ts';

const METRICS = [{ metricKey: 'tasks_completed', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];

eachEngine("a refused event whose id another integrator stored is an error, not another's retry", async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  const shopKey = await createIntegrator(t, 'shop', METRICS);
  const bankKey = await createIntegrator(t, 'bank', METRICS);
  const agent = await registerAgent(t);
  await allow(t, agent, 'shop'); // not bank
  const mv = [{ metricKey: 'tasks_completed', numberValue: 1 }];

  const stored = await ingest(t, shopKey, [event('shop', agent, mv, { externalEventId: 'order-1' })]);
  assert.equal(stored.status, 200, JSON.stringify(stored.body));
  assert.equal(stored.body.count, 1);

  const before = await tableCounts(storage);
  const refused = await ingest(t, bankKey, [
    event('bank', agent, mv, { externalEventId: 'order-1' }),
    event('bank', agent, [{ metricKey: 'no_such_metric', numberValue: 1 }], { externalEventId: 'order-1' }),
  ]);
  assert.equal(refused.status, 200, JSON.stringify(refused.body));
  assert.equal(refused.body.success, false);
  assert.deepEqual(
    refused.body.results.map((r) => [r.externalEventId, r.inserted, r.code]),
    [
      ['order-1', false, 'CONSENT_REQUIRED'],
      ['order-1', false, 'METRIC_UNKNOWN'],
    ],
  );
  assert.deepEqual(await tableCounts(storage), before, 'nothing written');

  // The same id again from the integrator that stored it is its retry.
  const retry = await ingest(t, shopKey, [event('shop', agent, mv, { externalEventId: 'order-1' })]);
  assert.deepEqual(
    retry.body.results.map((r) => [r.externalEventId, r.inserted, r.code]),
    [['order-1', false, undefined]],
  );
  await t.app.close();
});
