// Gaps found by mutation testing in the audit entries of the integrator admin routes: creating an integrator,
// rotating its key and changing its metrics each leave exactly one entry naming the admin, the integrator and the
// request (its x-request-id); a refused or idempotent call (unknown slug, taken slug, the same metrics again) leaves
// none. Read back through the admin audit API.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, post, repApp } from './helpers.ts';
import type { TestApp } from '../helpers/app.ts';

interface Entry {
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
  requestId: string | null;
}

async function integratorAudit(t: TestApp): Promise<Entry[]> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: ADMIN });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { entries: Entry[] }).entries
    .filter((e) => e.action.startsWith('integrator.'))
    .map(({ actor, action, target, details, requestId }) => ({ actor, action, target, details, requestId }));
}

const requestIdOf = (res: LightMyRequestResponse): string => String(res.headers['x-request-id']);

eachEngine(
  'integrator admin writes are audited with actor, target and request id; refusals are not',
  async ({ open }) => {
    const t = await repApp(await open());
    try {
      const metrics = [{ metricKey: 'sale', polarity: 'boost', weight: 1, lane: 'conduct' }];
      const created = await post(
        t,
        '/api/v1/admin/integrators',
        { slug: 'shop', name: 'Shop', domain: 'shop.example', metrics },
        ADMIN,
      );
      assert.equal(created.statusCode, 201, created.body);
      const rotated = await post(t, '/api/v1/admin/integrators/shop/rotate-key', {}, ADMIN);
      assert.equal(rotated.statusCode, 200, rotated.body);
      const changed = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/admin/integrators/shop/metrics',
        headers: ADMIN,
        payload: { metrics: [{ ...metrics[0], weight: 2 }] },
      });
      assert.equal(changed.statusCode, 200, changed.body);
      const expected: Entry[] = [
        {
          actor: 'admin',
          action: 'integrator.metrics',
          target: 'shop',
          details: { version: 2, metrics: 1 },
          requestId: requestIdOf(changed),
        },
        {
          actor: 'admin',
          action: 'integrator.rotate_key',
          target: 'shop',
          details: null,
          requestId: requestIdOf(rotated),
        },
        {
          actor: 'admin',
          action: 'integrator.create',
          target: 'shop',
          details: { version: 1, metrics: 1 },
          requestId: requestIdOf(created),
        },
      ];
      assert.deepEqual(await integratorAudit(t), expected);
      const keys = [created, rotated].map((r) => (r.json() as { apiKey: string }).apiKey);
      assert.ok(keys.every((k) => !JSON.stringify(expected).includes(k)));

      // Refused or changing nothing: no entry.
      const again = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/admin/integrators/shop/metrics',
        headers: ADMIN,
        payload: { metrics: [{ ...metrics[0], weight: 2 }] },
      });
      assert.equal(again.statusCode, 200, again.body);
      assert.equal((again.json() as { changed: boolean }).changed, false);
      const unknownRotate = await post(t, '/api/v1/admin/integrators/nobody/rotate-key', {}, ADMIN);
      assert.equal(unknownRotate.statusCode, 404, unknownRotate.body);
      const unknownMetrics = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/admin/integrators/nobody/metrics',
        headers: ADMIN,
        payload: { metrics },
      });
      assert.equal(unknownMetrics.statusCode, 404, unknownMetrics.body);
      const taken = await post(
        t,
        '/api/v1/admin/integrators',
        { slug: 'shop', name: 'Other', domain: 'other.example', metrics },
        ADMIN,
      );
      assert.equal(taken.statusCode, 409, taken.body);
      assert.deepEqual(await integratorAudit(t), expected);
    } finally {
      await t.app.close();
    }
  },
);
