// The event bounds docs/PROTOCOL.md ("Events") states, at their edges: `data` at most 16 KiB as UTF-8 JSON, counted in
// bytes (not UTF-16 units: text beyond ASCII takes 2 to 3 bytes a character), and `occurredAt` at most 5 minutes
// ahead. The other tests stayed far from each edge (a data blob 11 bytes over or 9 under, an hour ahead), so an
// off-by-one or a length counted in characters passed them.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { appWithAllowingAgent, event, ingest } from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';

const METRICS: MetricSpec[] = [{ metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct' }];
const MAX_DATA_BYTES = 16 * 1024;
/** `{"b":"` and `"}`: the bytes of `{b: s}` beside `s`. */
const WRAPPER = 8;

eachEngine('data of exactly 16 KiB of UTF-8 JSON is stored, a byte more is refused', async ({ open }) => {
  const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
  // '€' is one UTF-16 unit and three UTF-8 bytes: 5,458 of them and two ASCII characters are 16,384 bytes in 5,468
  // characters of JSON, which a count of characters would take for a third of the limit.
  const euros = '€'.repeat(5458);
  const cases: Array<[string, unknown, boolean]> = [
    ['ascii-at-limit', { b: 'x'.repeat(MAX_DATA_BYTES - WRAPPER) }, true],
    ['ascii-over', { b: 'x'.repeat(MAX_DATA_BYTES - WRAPPER + 1) }, false],
    ['euro-at-limit', { b: `${euros}xx` }, true],
    ['euro-over', { b: `${euros}xxx` }, false],
  ];
  for (const [, data] of cases) {
    assert.ok(Buffer.byteLength(JSON.stringify(data), 'utf8') <= MAX_DATA_BYTES + 1);
  }
  const res = await ingest(
    t,
    key,
    cases.map(([id, data]) => event('shop', agent, [], { externalEventId: id, data })),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(
    res.body.results.map((r) => [r.externalEventId, r.inserted, r.code ?? null]),
    cases.map(([id, , ok]) => [id, ok, ok ? null : 'VALIDATION_FAILED']),
  );
  for (const r of res.body.results.filter((x) => x.code !== undefined)) {
    assert.match(String(r.error), /data must be at most 16384 bytes of JSON/);
  }
  const rows = await t.ctx.storage.db
    .selectFrom('reputation_events')
    .select(['external_event_id', 'data'])
    .orderBy('seq')
    .execute();
  assert.deepEqual(
    rows.map((r) => [r.external_event_id, Buffer.byteLength(r.data ?? '', 'utf8')]),
    [
      ['ascii-at-limit', MAX_DATA_BYTES],
      ['euro-at-limit', MAX_DATA_BYTES],
    ],
  );
  await t.app.close();
});

eachEngine('occurredAt exactly 5 minutes ahead is stored, a millisecond more is refused', async ({ open }) => {
  const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
  const now = t.clock.now();
  const res = await ingest(t, key, [
    event('shop', agent, [], { externalEventId: 'at-limit', occurredAt: now + 5 * 60_000 }),
    event('shop', agent, [], { externalEventId: 'over', occurredAt: now + 5 * 60_000 + 1 }),
  ]);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(
    res.body.results.map((r) => [r.externalEventId, r.inserted, r.code ?? null]),
    [
      ['at-limit', true, null],
      ['over', false, 'VALIDATION_FAILED'],
    ],
  );
  assert.match(String(res.body.results[1]!.error), /more than 5 minutes in the future/);
  await t.app.close();
});
