// Review: METHOD_NOT_ALLOWED (405) was declared but never answered: a method that a path does not serve
// (`DELETE /api/registry/verify`, `GET /api/registry/issue`) answered 404 "No route", as if the path did not exist.
// It is now a JSON 405 with an `Allow` header naming the methods the path serves (HEAD beside GET; OPTIONS when CORS
// preflights are answered), parameterised paths included; a path no method serves stays 404, and so does one the
// router cannot read.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

const ORIGIN = 'https://console.example';
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

function assert405(res: LightMyRequestResponse, allow: string, what: string): void {
  assert.equal(res.statusCode, 405, `${what}: ${res.body}`);
  assert.equal(res.headers.allow, allow, what);
  assert.match(String(res.headers['content-type']), /^application\/json; charset=utf-8/, what);
  assert.ok(res.headers['x-request-id'], `${what}: the headers every answer carries`);
  assert.equal(res.headers['cache-control'], 'no-store', what);
  if (res.raw.req.method === 'HEAD') return;
  const body = res.json() as { error: unknown; code: unknown };
  assert.equal(body.code, 'METHOD_NOT_ALLOWED', what);
  assert.equal(typeof body.error, 'string', what);
  assert.deepEqual(Object.keys(body).sort(), ['code', 'error'], what);
}

function assert404(res: LightMyRequestResponse, what: string): void {
  assert.equal(res.statusCode, 404, `${what}: ${res.body}`);
  assert.equal(res.headers.allow, undefined, what);
  assert.equal(res.json().code, 'NOT_FOUND', what);
}

eachEngine(
  'a method a path does not serve is 405 METHOD_NOT_ALLOWED with Allow; unknown paths stay 404',
  async ({ open }) => {
    const t = await makeApp(await open(), { env: { VOUCH_LOG_LEVEL: 'silent' } });
    try {
      const cases: Array<[method: string, url: string, allow: string]> = [
        ['DELETE', '/api/registry/verify', 'POST'],
        ['GET', '/api/registry/issue', 'POST'],
        ['GET', '/api/registry/issue?x=1', 'POST'],
        ['HEAD', '/api/registry/issue', 'POST'],
        // Parameterised paths.
        ['POST', '/api/v1/agents/abc', 'GET, HEAD'],
        ['DELETE', '/api/v1/agents/did:identity:x', 'GET, HEAD'],
        ['GET', '/api/v1/agents/abc/slug', 'PUT, DELETE'],
        ['PATCH', '/v1/identity/some-slug/tools', 'GET, HEAD, POST'],
        ['PUT', '/v1/registry/proposals/p1', 'GET, HEAD'],
        ['OPTIONS', '/api/registry/verify', 'POST'],
        // A page path: the answer is JSON like every 405, for a browser too.
        ['POST', '/registry', 'GET, HEAD'],
        ['DELETE', '/tokens/inspect', 'GET, HEAD, POST'],
      ];
      for (const [method, url, allow] of cases) {
        const res = await t.app.inject({ method: method as 'GET', url, headers: BROWSER });
        assert405(res, allow, `${method} ${url}`);
      }

      // No method serves these: 404 as before.
      for (const [method, url] of [
        ['DELETE', '/no/such/route'],
        ['GET', '/api/v1/agents/a/b/c'],
        ['DELETE', '/api/registry/verify/'],
        ['OPTIONS', '/no/such/route'],
      ] as const) {
        assert404(await t.app.inject({ method, url }), `${method} ${url}`);
      }
      // A path the router cannot read is not "served" by another method: a parameter past maxParamLength under a
      // method no route uses stays 404, and malformed percent-encoding the 400 it always was.
      assert404(await t.app.inject({ method: 'PATCH', url: `/api/v1/agents/${'a'.repeat(600)}` }), 'a long parameter');
      for (const url of ['/api/v1/agents/%ZZ', '/api/v1/agents/%E0%A4%A']) {
        const res = await t.app.inject({ method: 'PATCH', url });
        assert.equal(res.statusCode, 400, url);
        assert.equal(res.headers.allow, undefined, url);
        assert.equal(res.json().code, 'VALIDATION_FAILED', url);
      }

      // Counted as unmatched, under its status.
      const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': t.adminKey } });
      assert.match(metrics.body, /vouch_http_requests_total\{method="DELETE",route="unmatched",status="405"\} \d+/);
    } finally {
      await t.app.close();
    }
  },
);

eachEngine(
  'with CORS, a 405 names OPTIONS and carries the CORS headers; the preflight route is no route of its own',
  async ({ open }) => {
    const t = await makeApp(await open(), { env: { VOUCH_LOG_LEVEL: 'silent', VOUCH_CORS_ORIGINS: ORIGIN } });
    try {
      const res = await t.app.inject({ method: 'DELETE', url: '/api/registry/verify', headers: { origin: ORIGIN } });
      assert405(res, 'POST, OPTIONS', 'DELETE /api/registry/verify');
      assert.equal(res.headers['access-control-allow-origin'], ORIGIN);
      assert.equal(res.headers.vary, 'Origin');
      const param = await t.app.inject({ method: 'PUT', url: '/api/v1/agents/abc', headers: { origin: ORIGIN } });
      assert405(param, 'GET, HEAD, OPTIONS', 'PUT /api/v1/agents/abc');
      assert.equal(param.headers['access-control-allow-origin'], ORIGIN);

      // The preflight still answers every path, and a path only it answers is no path: 404.
      const preflight = await t.app.inject({
        method: 'OPTIONS',
        url: '/api/registry/verify',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
      });
      assert.equal(preflight.statusCode, 204);
      const unknown = await t.app.inject({ method: 'GET', url: '/no/such/route', headers: { origin: ORIGIN } });
      assert404(unknown, 'GET /no/such/route');
      assert.equal(unknown.headers['access-control-allow-origin'], ORIGIN);
    } finally {
      await t.app.close();
    }
  },
);
