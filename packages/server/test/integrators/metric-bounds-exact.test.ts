// The metric bounds docs/PROTOCOL.md ("Integrators") states, at their edges, on both routes that take metrics: `weight`
// 0 to 100, `maxPerDay` 1 to 1,000,000, at most 200 metrics. The weight bound is what keeps one contribution within
// 10^9 micro-points (docs/reputation.md, "The sum bound") and maxPerDay what keeps a day's count an int4; no test
// sent a value at or past either edge, so widening a bound passed the suite.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { ADMIN, post, repApp } from './helpers.ts';
import type { MetricSpec } from './helpers.ts';

const metric = (i: number, extra: Partial<MetricSpec> = {}): MetricSpec => ({
  metricKey: `m${i}`,
  polarity: 'boost',
  weight: 1,
  lane: 'conduct',
  ...extra,
});

eachEngine('metric weights, maxPerDay and counts are taken at their bounds and refused past them', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  const edges = [
    metric(0, { weight: 0 }),
    metric(1, { weight: 100, maxPerDay: 1 }),
    metric(2, { maxPerDay: 1_000_000 }),
    ...Array.from({ length: 197 }, (_, i) => metric(i + 3)),
  ];
  assert.equal(edges.length, 200);
  const base = { slug: 'shop', name: 'Shop', domain: 'shop.example' };
  const created = await post(t, '/api/v1/admin/integrators', { ...base, metrics: edges }, ADMIN);
  assert.equal(created.statusCode, 201, created.body);

  const past: Array<[string, MetricSpec[]]> = [
    ['weight', [metric(0, { weight: 100.5 })]],
    ['weight', [metric(0, { weight: -0.5 })]],
    ['maxPerDay', [metric(0, { maxPerDay: 0 })]],
    ['maxPerDay', [metric(0, { maxPerDay: 1_000_001 })]],
    ['metrics', [...edges, metric(200)]],
  ];
  const before = await tableCounts(storage);
  for (const [what, metrics] of past) {
    const create = await post(t, '/api/v1/admin/integrators', { ...base, slug: 'other', metrics }, ADMIN);
    assert.equal(create.statusCode, 400, `create, ${what}: ${create.body}`);
    assert.equal((create.json() as { code: string }).code, 'VALIDATION_FAILED');
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/integrators/shop/metrics',
      headers: ADMIN,
      payload: { metrics },
    });
    assert.equal(put.statusCode, 400, `put, ${what}: ${put.body}`);
    assert.equal((put.json() as { code: string }).code, 'VALIDATION_FAILED');
  }
  assert.deepEqual(await tableCounts(storage), before, 'nothing written');

  // The edges again through PUT: unchanged (the same metrics), and one edge moved publishes v2.
  const same = await t.app.inject({
    method: 'PUT',
    url: '/api/v1/admin/integrators/shop/metrics',
    headers: ADMIN,
    payload: { metrics: edges },
  });
  assert.equal(same.statusCode, 200, same.body);
  assert.deepEqual((same.json() as { environmentVersion: number; changed: boolean }).changed, false);
  const moved = await t.app.inject({
    method: 'PUT',
    url: '/api/v1/admin/integrators/shop/metrics',
    headers: ADMIN,
    payload: { metrics: [metric(0, { weight: 100, maxPerDay: 1_000_000 }), ...edges.slice(1)] },
  });
  assert.equal(moved.statusCode, 200, moved.body);
  assert.deepEqual((moved.json() as { environmentVersion: number; changed: boolean }).environmentVersion, 2);
  await t.app.close();
});
