/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field. */
// Admin integrator management: create (key shown once, stored hashed), rotate, list, metric changes publishing
// environment versions, refusals that write nothing, and the public disclosure.
import assert from 'node:assert/strict';
import { sha256HexSync } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { ADMIN, bearer, createIntegrator, post, repApp } from './helpers.ts';
import type { MetricSpec } from './helpers.ts';

const METRICS: MetricSpec[] = [
  { metricKey: 'tasks_completed', polarity: 'boost', weight: 1, lane: 'conduct' },
  { metricKey: 'spam_flag', polarity: 'hurt', weight: 2.5, lane: 'conduct', maxPerDay: 3 },
  { metricKey: 'uptime', polarity: 'boost', weight: 0.5, lane: 'presence' },
  { metricKey: 'theme', polarity: 'neutral', weight: 1, lane: 'origin' },
];

eachEngine('admin creates an integrator; its key is shown once, stored as SHA-256 and audited', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage, { VOUCH_LOG_LEVEL: 'info' });
  const res = await post(
    t,
    '/api/v1/admin/integrators',
    { slug: 'shop', name: 'Shop', domain: 'shop.example', metrics: METRICS },
    ADMIN,
  );
  assert.equal(res.statusCode, 201, res.body);
  const { slug, apiKey, environmentVersion } = res.json() as {
    slug: string;
    apiKey: string;
    environmentVersion: number;
  };
  assert.equal(slug, 'shop');
  assert.equal(environmentVersion, 1);
  assert.match(apiKey, /^vik_[A-Za-z0-9_-]{43}$/);
  const row = await storage.db.selectFrom('integrators').selectAll().executeTakeFirstOrThrow();
  assert.equal(row.api_key_hash, sha256HexSync(apiKey));
  assert.ok(!JSON.stringify(row).includes(apiKey));
  const audit = await storage.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', 'integrator.create')
    .execute();
  assert.equal(audit.length, 1);
  assert.ok(!JSON.stringify(audit).includes(apiKey));
  // Used once (an empty batch: 400 after authentication), with request logging on: the key is never logged.
  assert.equal((await post(t, '/ingest', [], bearer(apiKey))).statusCode, 400);
  assert.ok(t.logs.lines.length > 0);
  assert.ok(!t.logs.text().includes(apiKey), 'the key is never logged');

  // The list shows the integrator and its metrics, never a key or its hash.
  const list = await t.app.inject({ method: 'GET', url: '/api/v1/admin/integrators', headers: ADMIN });
  assert.equal(list.statusCode, 200);
  const body = list.json() as { integrators: Array<Record<string, unknown>> };
  assert.equal(body.integrators.length, 1);
  assert.equal(body.integrators[0]!.slug, 'shop');
  assert.equal((body.integrators[0]!.metrics as unknown[]).length, 4);
  assert.deepEqual(
    (body.integrators[0]!.metrics as Array<{ maxPerDay: number }>).map((m) => m.maxPerDay),
    [10, 3, 10, 10],
  );
  assert.ok(!list.body.includes(row.api_key_hash));
  await t.app.close();
});

eachEngine('refused integrator requests answer 4xx with a code and write nothing', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  await createIntegrator(t, 'shop', METRICS);
  const before = await tableCounts(storage);
  const base = { slug: 'other', name: 'Other', domain: 'other.example', metrics: METRICS };
  const cases: Array<[unknown, Record<string, string>, number, string]> = [
    [{ ...base, slug: 'shop' }, ADMIN, 409, 'INTEGRATOR_EXISTS'],
    [{ ...base, slug: 'global' }, ADMIN, 400, 'VALIDATION_FAILED'],
    [{ ...base, slug: 'Bad Slug' }, ADMIN, 400, 'VALIDATION_FAILED'],
    [{ ...base, domain: 'not a domain' }, ADMIN, 400, 'VALIDATION_FAILED'],
    [{ ...base, metrics: [{ ...METRICS[0], polarity: 'sideways' }] }, ADMIN, 400, 'VALIDATION_FAILED'],
    [{ ...base, metrics: [{ ...METRICS[0], weight: -1 }] }, ADMIN, 400, 'VALIDATION_FAILED'],
    [{ ...base, metrics: [{ ...METRICS[0], lane: 'vibes' }] }, ADMIN, 400, 'VALIDATION_FAILED'],
    [{ ...base, metrics: [METRICS[0], METRICS[0]] }, ADMIN, 400, 'VALIDATION_FAILED'],
    [{ ...base, extra: 1 }, ADMIN, 400, 'VALIDATION_FAILED'],
    [base, {}, 401, 'UNAUTHORIZED'],
    [base, { 'x-api-key': 'wrong-admin-key-0000000' }, 401, 'UNAUTHORIZED'],
  ];
  for (const [payload, headers, status, code] of cases) {
    const res = await post(t, '/api/v1/admin/integrators', payload, headers);
    assert.equal(res.statusCode, status, `${JSON.stringify(payload)} -> ${res.body}`);
    assert.equal((res.json() as { code: string }).code, code);
  }
  const rotate = await post(t, '/api/v1/admin/integrators/nobody/rotate-key', {}, ADMIN);
  assert.equal(rotate.statusCode, 404);
  const metrics = await t.app.inject({
    method: 'PUT',
    url: '/api/v1/admin/integrators/nobody/metrics',
    headers: ADMIN,
    payload: { metrics: METRICS },
  });
  assert.equal(metrics.statusCode, 404);
  assert.deepEqual(await tableCounts(storage), before);
  await t.app.close();
});

eachEngine('rotating the key retires the old one at once', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  const oldKey = await createIntegrator(t, 'shop', METRICS);
  const ingestAs = (key: string) => post(t, '/api/v1/ingest', [], bearer(key));
  // An empty batch is a 400, but only after authentication: 400 means the key was accepted.
  assert.equal((await ingestAs(oldKey)).statusCode, 400);
  const res = await post(t, '/api/v1/admin/integrators/shop/rotate-key', {}, ADMIN);
  assert.equal(res.statusCode, 200, res.body);
  const { apiKey } = res.json() as { apiKey: string };
  assert.deepEqual(Object.keys(res.json() as object).sort(), ['apiKey', 'slug'], 'what the route declares, no more');
  assert.notEqual(apiKey, oldKey);
  assert.equal((await ingestAs(oldKey)).statusCode, 401);
  assert.equal((await ingestAs(apiKey)).statusCode, 400);
  // Wrong keys of the right shape, other bearer secrets and other schemes are refused.
  assert.equal((await ingestAs(`vik_${'A'.repeat(43)}`)).statusCode, 401);
  const basic = await t.app.inject({
    method: 'POST',
    url: '/api/v1/ingest',
    payload: [],
    headers: { authorization: `Basic ${apiKey}` },
  });
  assert.equal(basic.statusCode, 401);
  await t.app.close();
});

eachEngine(
  'changing metrics publishes a new environment version; the disclosure shows the current one',
  async ({ open }) => {
    const storage = await open();
    const t = await repApp(storage);
    await createIntegrator(t, 'shop', METRICS);
    const disclosure = async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/integrators/shop/disclosure' });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Record<string, any>;
    };
    const d1 = await disclosure();
    assert.deepEqual(d1.integrator, { slug: 'shop', name: 'Integrator shop', domain: 'shop.example' });
    assert.deepEqual(
      d1.boostingReputationMetrics.map((m: { metricKey: string }) => m.metricKey),
      ['tasks_completed', 'uptime'],
    );
    assert.deepEqual(d1.hurtingReputationMetrics, [
      { metricKey: 'spam_flag', lane: 'conduct', weight: 2.5, maxPerDay: 3 },
    ]);
    assert.deepEqual(
      d1.neutralReputationMetrics.map((m: { metricKey: string }) => m.metricKey),
      ['theme'],
    );
    assert.equal(d1.environmentVersion, 1);

    const put = (metrics: MetricSpec[]) =>
      t.app.inject({
        method: 'PUT',
        url: '/api/v1/admin/integrators/shop/metrics',
        headers: ADMIN,
        payload: { metrics },
      });
    const same = await put(METRICS);
    assert.equal(same.statusCode, 200);
    assert.deepEqual([same.json().environmentVersion, same.json().changed], [1, false]);
    const changed = await put([{ ...METRICS[0]!, polarity: 'neutral' }]);
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual([changed.json().environmentVersion, changed.json().changed], [2, true]);
    const d2 = await disclosure();
    assert.equal(d2.environmentVersion, 2);
    assert.deepEqual(d2.boostingReputationMetrics, []);
    assert.deepEqual(
      d2.neutralReputationMetrics.map((m: { metricKey: string }) => m.metricKey),
      ['tasks_completed'],
    );
    // Version 1's metrics are kept (old events keep their meaning).
    const v1 = await storage.db.selectFrom('integrator_metrics').selectAll().where('version', '=', 1).execute();
    assert.equal(v1.length, 4);
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/integrators/nobody/disclosure' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'NOT_FOUND');
    await t.app.close();
  },
);

eachEngine(
  'the integrator list shows each integrator with its current metrics only, in published order',
  async ({ open }) => {
    const storage = await open();
    const t = await repApp(storage);
    await createIntegrator(t, 'zeta', METRICS);
    await createIntegrator(t, 'alpha', [METRICS[2]!, METRICS[0]!]);
    await createIntegrator(t, 'empty', []);
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/integrators/zeta/metrics',
      headers: ADMIN,
      payload: { metrics: [METRICS[3], METRICS[1]] },
    });
    assert.equal(put.statusCode, 200, put.body);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/admin/integrators', headers: ADMIN });
    assert.equal(list.statusCode, 200, list.body);
    const shown = (list.json() as { integrators: any[] }).integrators.map((i) => [
      i.slug,
      i.environmentVersion,
      i.metrics.map((m: { metricKey: string }) => m.metricKey),
    ]);
    assert.deepEqual(shown, [
      ['alpha', 1, ['uptime', 'tasks_completed']],
      ['empty', 1, []],
      ['zeta', 2, ['theme', 'spam_flag']],
    ]);
    await t.app.close();
  },
);
