// A stored event retried after its agent withdrew consent (or was revoked) is `inserted: false`, never an error:
// ingestion looks stored ids up only for events its checks refuse, so this path needs its own test.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import {
  allow,
  createIntegrator,
  event,
  ingest,
  registerAgent,
  repApp,
  revokeAgent,
  sendConsent,
} from '../integrators/helpers.ts';

const METRICS = [{ metricKey: 'tasks_completed', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];

eachEngine('a stored event retried after consent or agent revocation is inserted:false', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  const key = await createIntegrator(t, 'shop', METRICS);
  const withdrawn = await registerAgent(t);
  const revoked = await registerAgent(t);
  await allow(t, withdrawn, 'shop');
  await allow(t, revoked, 'shop');
  const mv = [{ metricKey: 'tasks_completed', numberValue: 1 }];
  const batch = [
    event('shop', withdrawn, mv, { externalEventId: 'w-1' }),
    event('shop', revoked, mv, { externalEventId: 'r-1' }),
  ];
  const first = await ingest(t, key, batch);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.count, 2);

  t.clock.advance(1000);
  assert.equal((await sendConsent(t, withdrawn, 'shop', 'revoke')).statusCode, 200);
  await revokeAgent(t, revoked.did);
  const before = await tableCounts(storage);
  const retry = await ingest(t, key, [
    ...batch,
    event('shop', withdrawn, mv, { externalEventId: 'w-2' }),
    event('shop', revoked, mv, { externalEventId: 'r-2' }),
  ]);
  assert.equal(retry.status, 200);
  assert.deepEqual(
    retry.body.results.map((r) => [r.externalEventId, r.inserted, r.code]),
    [
      ['w-1', false, undefined],
      ['r-1', false, undefined],
      ['w-2', false, 'CONSENT_REQUIRED'],
      ['r-2', false, 'AGENT_REVOKED'],
    ],
  );
  assert.equal(retry.body.count, 0);
  assert.deepEqual(await tableCounts(storage), before, 'nothing written');
});

eachEngine(
  'a copy of an event stored by the same batch is inserted:false, wherever the copy stands',
  async ({ open }) => {
    const storage = await open();
    const t = await repApp(storage);
    const key = await createIntegrator(t, 'shop', METRICS);
    const agent = await registerAgent(t);
    await allow(t, agent, 'shop');
    const good = [{ metricKey: 'tasks_completed', numberValue: 1 }];
    const bad = [{ metricKey: 'no_such_metric', numberValue: 1 }];
    const res = await ingest(t, key, [
      event('shop', agent, bad, { externalEventId: 'before' }),
      event('shop', agent, good, { externalEventId: 'before' }),
      event('shop', agent, good, { externalEventId: 'after' }),
      event('shop', agent, bad, { externalEventId: 'after' }),
      event('shop', agent, bad, { externalEventId: 'alone' }),
    ]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.results.map((r) => [r.externalEventId, r.inserted, r.code]),
      [
        ['before', false, undefined],
        ['before', true, undefined],
        ['after', true, undefined],
        ['after', false, undefined],
        ['alone', false, 'METRIC_UNKNOWN'],
      ],
    );
    assert.equal(res.body.count, 2);
  },
);
