// Integrators are kept apart: only the admin rotates an integrator's API key (never anonymous callers, nor the
// integrator with its own key), rotating one touches no other integrator's key, and every
// integrator's events are scored with its own metric definitions and environment versions, even when two
// integrators publish the same version number of metrics with the same key.
import assert from 'node:assert/strict';
import { sha256HexSync } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import {
  ADMIN,
  allow,
  bearer,
  createIntegrator,
  event,
  ingest,
  post,
  registerAgent,
  repApp,
  resolve,
} from './helpers.ts';
import type { MetricSpec } from './helpers.ts';

eachEngine('only the admin key rotates an integrator key or changes its metrics', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  const metrics: MetricSpec[] = [{ metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct' }];
  const shopKey = await createIntegrator(t, 'shop', metrics);
  const before = await storage.db.selectFrom('integrators').selectAll().executeTakeFirstOrThrow();
  for (const headers of [{}, bearer(shopKey), { 'x-api-key': 'wrong-admin-key-0000000' }]) {
    const rotate = await post(t, '/api/v1/admin/integrators/shop/rotate-key', {}, headers);
    assert.equal(rotate.statusCode, 401, rotate.body);
    assert.equal((rotate.json() as { code: string }).code, 'UNAUTHORIZED');
    assert.ok(!rotate.body.includes('vik_'), 'no key in the refusal');
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/integrators/shop/metrics',
      headers,
      payload: { metrics: [] },
    });
    assert.equal(put.statusCode, 401, put.body);
  }
  assert.deepEqual(await storage.db.selectFrom('integrators').selectAll().executeTakeFirstOrThrow(), before);
  // The key still works.
  assert.equal((await post(t, '/api/v1/ingest', [], bearer(shopKey))).statusCode, 400);
  await t.app.close();
});

eachEngine("rotating one integrator's key leaves every other integrator's key as it was", async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  const metrics: MetricSpec[] = [{ metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct' }];
  const shopKey = await createIntegrator(t, 'shop', metrics);
  const bankKey = await createIntegrator(t, 'bank', metrics);
  const res = await post(t, '/api/v1/admin/integrators/shop/rotate-key', {}, ADMIN);
  assert.equal(res.statusCode, 200, res.body);
  const newShopKey = (res.json() as { apiKey: string }).apiKey;

  const rows = await storage.db.selectFrom('integrators').select(['slug', 'api_key_hash']).orderBy('slug').execute();
  assert.deepEqual(rows, [
    { slug: 'bank', api_key_hash: sha256HexSync(bankKey) },
    { slug: 'shop', api_key_hash: sha256HexSync(newShopKey) },
  ]);
  // An empty batch is a 400, but only after authentication: 400 means the key was accepted.
  const ingestAs = (key: string) => post(t, '/api/v1/ingest', [], bearer(key));
  assert.equal((await ingestAs(bankKey)).statusCode, 400, "bank's key still works");
  assert.equal((await ingestAs(shopKey)).statusCode, 401);
  // Each key speaks for its own integrator.
  const agent = await registerAgent(t);
  assert.equal((await resolve(t, agent.did, newShopKey)).body.integrator.slug, 'shop');
  assert.equal((await resolve(t, agent.did, bankKey)).body.integrator.slug, 'bank');
  await t.app.close();
});

eachEngine(
  'two integrators with the same metric key and version: each event is scored by its own integrator',
  async ({ open }) => {
    const storage = await open();
    const t = await repApp(storage);
    // Both at v1, both with a metric "tasks", defined differently; only bank has "refunds".
    const shopKey = await createIntegrator(t, 'shop', [
      { metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct' },
    ]);
    const bankKey = await createIntegrator(t, 'bank', [
      { metricKey: 'tasks', polarity: 'hurt', weight: 2, lane: 'presence' },
      { metricKey: 'refunds', polarity: 'boost', weight: 3, lane: 'origin' },
    ]);
    const agent = await registerAgent(t);
    await allow(t, agent, 'shop');
    await allow(t, agent, 'bank');

    // Shop's v1 is read first, then bank's v1.
    const shop = await ingest(t, shopKey, [event('shop', agent, [{ metricKey: 'tasks', booleanValue: true }])]);
    assert.equal(shop.status, 200);
    assert.ok(shop.body.success, JSON.stringify(shop.body));
    const bank = await ingest(t, bankKey, [
      event('bank', agent, [
        { metricKey: 'tasks', booleanValue: true },
        { metricKey: 'refunds', booleanValue: true },
      ]),
    ]);
    assert.equal(bank.status, 200);
    assert.ok(bank.body.success, JSON.stringify(bank.body));

    const seenByBank = await resolve(t, agent.did, bankKey);
    assert.deepEqual(seenByBank.body.integratorScore.laneScores, { origin: 53, presence: 48, conduct: 50 });
    const seenByShop = await resolve(t, agent.did, shopKey);
    assert.deepEqual(seenByShop.body.integratorScore.laneScores, { origin: 50, presence: 50, conduct: 51 });
    assert.deepEqual(seenByShop.body.score.laneScores, { origin: 53, presence: 48, conduct: 51 });
    // The rebuild, reading the same definitions, agrees.
    assert.equal((await rebuildReputation(t.ctx, { dryRun: true })).consistent, true);
    await t.app.close();
  },
);

eachEngine(
  "an event may name only a version its own integrator published, not another integrator's",
  async ({ open }) => {
    const storage = await open();
    const t = await repApp(storage);
    const metrics: MetricSpec[] = [{ metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct' }];
    const shopKey = await createIntegrator(t, 'shop', metrics);
    await createIntegrator(t, 'bank', metrics);
    // Bank publishes v2; shop stays at v1.
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/integrators/bank/metrics',
      headers: ADMIN,
      payload: { metrics: [{ metricKey: 'loans', polarity: 'boost', weight: 1, lane: 'origin' }] },
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal((put.json() as { environmentVersion: number }).environmentVersion, 2);
    const agent = await registerAgent(t);
    await allow(t, agent, 'shop');

    const res = await ingest(t, shopKey, [event('shop', agent, [], { envId: 'shop.production.v2' })]);
    assert.equal(res.status, 200);
    assert.equal(res.body.success, false);
    assert.equal(res.body.results[0]!.inserted, false);
    assert.equal(res.body.results[0]!.code, 'ENVIRONMENT_NOT_FOUND');
    const stored = await storage.db.selectFrom('reputation_events').select('env_id').execute();
    assert.deepEqual(stored, []);
    await t.app.close();
  },
);
