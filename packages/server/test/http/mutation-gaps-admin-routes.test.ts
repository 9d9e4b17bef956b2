// Gaps found by mutation testing in the route policies: a route loosened from the admin to another caller (or to
// the public) went unnoticed where no test called it with anything but the admin key. Every admin-only route is
// listed here by hand (not read from the OpenAPI document, which follows the very policy under test), and each is
// called with every other kind of credential: always 401 UNAUTHORIZED, nothing written, no audit entry. The list is
// checked against the document's admin-only routes, any path (not only /admin/ ones: /v1/registry/genesis is one).
import assert from 'node:assert/strict';
import { listAudit } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { bearer, createOwner, registerPow, registerSlug, signedHeaders, TEST_ENV } from '../agents/helpers.ts';
import { createIntegrator } from '../integrators/helpers.ts';

const METRICS = [{ metricKey: 'sale', polarity: 'boost', weight: 1, lane: 'conduct' }] as const;

/** Every route only the admin may call, with a body it would accept from the admin. */
const ADMIN_ONLY: ReadonlyArray<readonly ['GET' | 'POST' | 'PUT', string, object?]> = [
  ['GET', '/api/v1/admin/audit'],
  ['GET', '/api/v1/admin/keys'],
  ['POST', '/api/v1/admin/keys/rotate', {}],
  ['GET', '/api/v1/admin/integrators'],
  ['POST', '/api/v1/admin/integrators', { slug: 'bank', name: 'Bank', domain: 'bank.example', metrics: METRICS }],
  ['POST', '/api/v1/admin/integrators/shop/rotate-key', {}],
  ['PUT', '/api/v1/admin/integrators/shop/metrics', { metrics: [{ ...METRICS[0], weight: 2 }] }],
  ['POST', '/api/v1/admin/reputation/rebuild', {}],
  ['POST', '/api/v1/owners', { name: 'X', handle: 'x-owner' }],
  ['POST', '/v1/registry/genesis', { issuers: [], threshold: 1 }],
  ['POST', '/v1/registry/refresh', {}],
  ['GET', '/metrics'],
];

eachEngine('every admin-only route refuses every other credential with 401 and writes nothing', async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage, { env: TEST_ENV });
  const { app, clock } = t;
  try {
    // The list is complete: it is every documented route whose only security is the admin key, wherever its path.
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { security?: unknown }>>;
    };
    const adminOnly = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => JSON.stringify(op.security) === JSON.stringify([{ adminKey: [] }]))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    const listed = ADMIN_ONLY.map(([m, u]) => `${m} ${u.replace('/shop/', '/{slug}/')}`);
    assert.deepEqual([...listed].sort(), adminOnly.sort(), 'the admin-only routes of /docs/json');

    const owner = await createOwner(app, 'acme');
    const slugAgent = await registerSlug(app, 'ops-bot');
    const powAgent = await registerPow(app);
    const integratorKey = await createIntegrator(t, 'shop', [...METRICS]);
    const now = clock.now();

    const before = await tableCounts(storage);
    const audit = await listAudit(storage.db);
    for (const [method, url, payload] of ADMIN_ONLY) {
      const others: Array<[string, Record<string, string>]> = [
        ['no credentials', {}],
        ['a wrong admin key', { 'x-api-key': 'wrong-admin-key-0123456789abcdef' }],
        ['an owner key', bearer(owner.apiKey)],
        ['a management token', bearer(slugAgent.managementToken)],
        ['an integrator key', bearer(integratorKey)],
        ["an agent's signature", await signedHeaders(powAgent.pair, powAgent.did, method, url, payload, now)],
      ];
      for (const [what, headers] of others) {
        const res = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
        assert.equal(res.statusCode, 401, `${method} ${url} with ${what}: ${res.body}`);
        assert.equal((res.json() as { code: string }).code, 'UNAUTHORIZED', `${method} ${url} with ${what}`);
      }
    }
    assert.deepEqual(await tableCounts(storage), before, 'no refused request wrote anything');
    assert.deepEqual(await listAudit(storage.db), audit, 'no refused request left an audit entry');
  } finally {
    await app.close();
  }
});
