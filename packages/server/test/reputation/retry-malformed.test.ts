// A stored event retried in a form the checks refuse before any lookup (an unknown field, a bad eventType, an envId
// of another integrator) is still `inserted: false`: docs/PROTOCOL.md checks the externalEventId "before anything
// else", so a replayed batch never turns into errors. An id that is itself invalid is never looked up: its event
// stays an error, on both engines (PostgreSQL cannot even compare U+0000).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { appWithAllowingAgent, event, ingest } from '../integrators/helpers.ts';

const METRICS = [{ metricKey: 'tasks_completed', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];

eachEngine('a stored event retried in a malformed form is inserted:false, not an error', async ({ open }) => {
  const storage = await open();
  const { t, key, agent } = await appWithAllowingAgent(storage, 'shop', METRICS);
  const mv = [{ metricKey: 'tasks_completed', numberValue: 1 }];
  const stored = await ingest(t, key, [
    event('shop', agent, mv, { externalEventId: 'm-1' }),
    // A copy later in the same batch, refused by the checks that need no database.
    event('shop', agent, mv, { externalEventId: 'm-1', eventType: 'not a type' }),
  ]);
  assert.equal(stored.status, 200, JSON.stringify(stored.body));
  assert.deepEqual(stored.body, {
    success: true,
    count: 1,
    results: [
      { externalEventId: 'm-1', inserted: true },
      { externalEventId: 'm-1', inserted: false },
    ],
  });

  const before = await tableCounts(storage);
  const retry = await ingest(t, key, [
    event('shop', agent, mv, { externalEventId: 'm-1', addedByNewerClient: true }),
    event('shop', agent, mv, { externalEventId: 'm-1', envId: 'bank.production.v1' }),
    event('shop', agent, mv, { externalEventId: 'm-2', addedByNewerClient: true }),
    event('shop', agent, mv, { externalEventId: 'm-\u0000', addedByNewerClient: true }),
    event('shop', agent, mv, { externalEventId: 'x'.repeat(201) }),
    event('shop', agent, mv, { externalEventId: `${'x'.repeat(199)}\n` }),
  ]);
  assert.equal(retry.status, 200, JSON.stringify(retry.body));
  assert.deepEqual(
    retry.body.results.map((r) => [r.externalEventId, r.inserted, r.code]),
    [
      ['m-1', false, undefined],
      ['m-1', false, undefined],
      ['m-2', false, 'VALIDATION_FAILED'],
      // An id the checks refuse is no usable one, whichever rule it breaks: null, as PROTOCOL says (it was echoed
      // when only a control character made it invalid).
      [null, false, 'VALIDATION_FAILED'],
      [null, false, 'VALIDATION_FAILED'],
      [null, false, 'VALIDATION_FAILED'],
    ],
  );
  assert.equal(retry.body.count, 0);
  assert.deepEqual(await tableCounts(storage), before, 'nothing written');
  await t.app.close();
});
