// Mutation gaps in http/cors.ts: what a browser on an allowed origin may send and read. A browser verifier polls the
// AIP revocation list with If-None-Match and reads the ETag and rate-limit headers of the answer; without them in the
// preflight's allow list and the answer's expose list, the browser blocks the request or hides the header.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

const ORIGIN = 'https://verifier.example';
const list = (v: unknown): string[] =>
  String(v ?? '')
    .split(/,\s*/)
    .filter(Boolean);

eachEngine(
  'CORS: a browser may send If-None-Match and read ETag, Retry-After and the rate-limit headers',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: { VOUCH_CORS_ORIGINS: ORIGIN } });
    try {
      const preflight = await app.inject({
        method: 'OPTIONS',
        url: '/healthz',
        headers: {
          origin: ORIGIN,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'if-none-match',
        },
      });
      assert.equal(preflight.statusCode, 204);
      const allowed = list(preflight.headers['access-control-allow-headers']);
      for (const h of ['content-type', 'authorization', 'x-api-key', 'if-none-match'])
        assert.ok(allowed.includes(h), h);
      const methods = list(preflight.headers['access-control-allow-methods']);
      for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) assert.ok(methods.includes(m), m);
      assert.equal(preflight.headers['access-control-allow-origin'], ORIGIN);
      assert.equal(preflight.headers['access-control-allow-credentials'], undefined, 'never credentials');
      // Cached: without Access-Control-Max-Age a browser keeps a preflight 5 s, and sends one before nearly every call.
      assert.match(String(preflight.headers['access-control-max-age']), /^[1-9]\d*$/, 'the preflight is cached');

      const res = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: ORIGIN } });
      const exposed = list(res.headers['access-control-expose-headers']);
      for (const h of [
        'etag',
        'retry-after',
        'x-request-id',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
      ]) {
        assert.ok(exposed.includes(h), h);
      }
      assert.equal(res.headers['access-control-allow-credentials'], undefined, 'never credentials');
    } finally {
      await app.close();
      await storage.close();
    }
  },
);

eachEngine('CORS with "*": any origin gets "*", never its own name; no Origin, no header', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: { VOUCH_CORS_ORIGINS: '*' } });
  try {
    const res = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://anyone.example' } });
    assert.equal(res.headers['access-control-allow-origin'], '*');
    const none = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(none.headers['access-control-allow-origin'], undefined, 'no Origin, no CORS header');
  } finally {
    await app.close();
    await storage.close();
  }
});
