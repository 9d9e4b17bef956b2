// An event's `data` is stored as JSON text of the value the request carried. A number beyond a double's range
// (`1e400`) parses as Infinity, which JSON.stringify writes as `null`: the stored data was silently not what was
// sent (a number turned null). Such an event is refused (VALIDATION_FAILED) and writes nothing; its neighbours, and
// data holding a real null or the text "null", are stored as sent.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { appWithAllowingAgent, bearer, event } from '../integrators/helpers.ts';

const METRICS = [{ metricKey: 'tasks_completed', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];

eachEngine('an event whose data holds a number beyond a double is refused, not stored as null', async ({ open }) => {
  const storage = await open();
  const { t, key, agent } = await appWithAllowingAgent(storage, 'shop', METRICS);
  const send = async (text: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ingest',
      payload: text,
      headers: { ...bearer(key), 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as {
      count: number;
      results: Array<{ externalEventId: string; inserted: boolean; code?: string }>;
    };
  };
  const withData = (id: string, data: string) =>
    JSON.stringify(event('shop', agent, [], { externalEventId: id })).replace(/}$/, `,"data":${data}}`);

  const before = await tableCounts(storage);
  const refused = await send(`[${withData('big', '{"a":1e400}')},${withData('small', '[-1e999]')}]`);
  assert.deepEqual(
    refused.results.map((r) => [r.externalEventId, r.inserted, r.code]),
    [
      ['big', false, 'VALIDATION_FAILED'],
      ['small', false, 'VALIDATION_FAILED'],
    ],
  );
  assert.deepEqual(await tableCounts(storage), before, 'nothing written');

  const stored = await send(
    `[${withData('null', '{"a":null,"b":"null","c":1e300}')},${withData('top', '1e400')},${withData('ok', '7')}]`,
  );
  assert.deepEqual(
    stored.results.map((r) => [r.externalEventId, r.inserted, r.code]),
    [
      ['null', true, undefined],
      ['top', false, 'VALIDATION_FAILED'],
      ['ok', true, undefined],
    ],
  );
  const rows = await storage.db
    .selectFrom('reputation_events')
    .select(['external_event_id', 'data'])
    .where('external_event_id', 'in', ['null', 'ok'])
    .orderBy('seq')
    .execute();
  assert.deepEqual(
    rows.map((r) => [r.external_event_id, r.data]),
    [
      ['null', '{"a":null,"b":"null","c":1e+300}'],
      ['ok', '7'],
    ],
  );
  await t.app.close();
});
