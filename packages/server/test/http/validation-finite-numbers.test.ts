// The body validator refuses numbers JSON cannot carry as numbers: a body's 1e400 parses as Infinity, which a `number`
// or `integer` schema without bounds would otherwise take as valid. A query's or path's "Infinity" (or "1e400") is
// coerced to Infinity after Ajv's type check, and Ajv then skips a bound's check of a number that is not finite: it
// is refused after the coercion, bounds or not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { installValidators } from '../../src/http/validation.ts';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

async function appWithUnboundedNumbers() {
  const app = Fastify();
  installValidators(app);
  const numbers = { n: { type: 'number' }, i: { type: 'integer' } };
  const bounded = { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } };
  app.post('/body', { schema: { body: { type: 'object', properties: numbers } } }, async () => ({ ok: true }));
  app.get('/query', { schema: { querystring: { type: 'object', properties: numbers } } }, async () => ({ ok: true }));
  app.get('/bounded', { schema: { querystring: { type: 'object', properties: bounded } } }, async (req) => req.query);
  app.get(
    '/path/:i',
    { schema: { params: { type: 'object', properties: { i: { type: 'integer', minimum: 0 } } } } },
    async () => ({ ok: true }),
  );
  await app.ready();
  return app;
}

test('an unbounded number or integer body field refuses Infinity; finite numbers pass', async () => {
  const app = await appWithUnboundedNumbers();
  try {
    const post = (payload: string) =>
      app.inject({ method: 'POST', url: '/body', payload, headers: { 'content-type': 'application/json' } });
    for (const payload of ['{"n":1e400}', '{"n":-1e400}', '{"i":1e400}', '{"i":-1e999}']) {
      assert.equal((await post(payload)).statusCode, 400, payload);
    }
    // Finite values, 1e-400 (read as 0) among them, still pass.
    for (const payload of ['{"n":1.5}', '{"n":1e-400}', '{"i":-3}', '{}']) {
      assert.equal((await post(payload)).statusCode, 200, payload);
    }
    assert.equal((await app.inject({ method: 'GET', url: '/query?n=2.5&i=7' })).statusCode, 200);
  } finally {
    await app.close();
  }
});

test('a query or path number refuses Infinity, 1e400 and -Infinity, bounded or not; finite ones pass', async () => {
  const app = await appWithUnboundedNumbers();
  try {
    const get = (url: string) => app.inject({ method: 'GET', url });
    for (const v of ['Infinity', '-Infinity', '1e400', '-1e999']) {
      for (const url of [`/query?n=${v}`, `/query?i=${v}`, `/bounded?limit=${v}`, `/path/${v}`]) {
        const res = await get(url);
        assert.equal(res.statusCode, 400, url);
        assert.match((res.json() as { message: string }).message, /finite/, url);
      }
    }
    assert.equal((await get('/query?n=-2.5&i=0')).statusCode, 200);
    assert.equal((await get('/path/12')).statusCode, 200);
    assert.deepEqual((await get('/bounded?limit=500')).json(), { limit: 500 });
    assert.deepEqual((await get('/bounded')).json(), { limit: 100 });
    assert.equal((await get('/bounded?limit=501')).statusCode, 400);
  } finally {
    await app.close();
  }
});

eachEngine(
  'the app answers a page limit of Infinity 400 VALIDATION_FAILED, not 500: public and admin routes',
  async ({ open }) => {
    const t = await makeApp(await open());
    try {
      const admin = { 'x-api-key': t.adminKey };
      const cases: Array<[string, Record<string, string>]> = [
        ['/api/registry/revocations?limit=Infinity', {}],
        ['/api/registry/revocations?limit=-Infinity', {}],
        ['/api/registry/agents?limit=1e400', {}],
        ['/v1/registry/proposals?limit=Infinity', {}],
        ['/api/v1/admin/audit?limit=Infinity', admin],
        ['/api/v1/admin/audit?before=1e999', admin],
      ];
      for (const [url, headers] of cases) {
        const res = await t.app.inject({ method: 'GET', url, headers });
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
        const body = res.json() as { code: string; field: string; error: string };
        assert.equal(body.code, 'VALIDATION_FAILED', url);
        assert.match(body.field, /^querystring\.(limit|before)$/, url);
        assert.match(body.error, /must be a finite number\.$/, url);
      }
      assert.doesNotMatch(t.logs.text(), /"level":50/);
    } finally {
      await t.app.close();
    }
  },
);
