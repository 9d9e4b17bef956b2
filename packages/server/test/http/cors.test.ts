import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

const ORIGIN = 'https://console.example';

eachEngine('CORS: configured origins only, refusals included, agent signature headers allowed', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: { VOUCH_CORS_ORIGINS: ORIGIN } });
  try {
    // A refusal by the policy hook still carries the header, so a browser can read `UNAUTHORIZED`.
    const refused = await app.inject({ method: 'GET', url: '/api/v1/owners/me', headers: { origin: ORIGIN } });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().code, 'UNAUTHORIZED');
    assert.equal(refused.headers['access-control-allow-origin'], ORIGIN);
    assert.equal(refused.headers.vary, 'Origin');

    const other = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example' } });
    assert.equal(other.headers['access-control-allow-origin'], undefined);

    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/agents/abc/slug',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.statusCode, 204);
    const allowed = String(preflight.headers['access-control-allow-headers']).split(/,\s*/);
    for (const h of ['x-vouch-agent', 'x-vouch-signed-at', 'x-vouch-content-sha256', 'x-vouch-signature']) {
      assert.ok(allowed.includes(h), h);
    }
    const foreign = await app.inject({
      method: 'OPTIONS',
      url: '/healthz',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(foreign.headers['access-control-allow-headers'], undefined);
  } finally {
    await app.close();
    await storage.close();
  }
});

eachEngine('framework errors (a path that is not UTF-8) answer the JSON error shape, with CORS', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: { VOUCH_CORS_ORIGINS: ORIGIN } });
  try {
    // Raised before any onRequest hook runs: a path that is not UTF-8, a path parameter over maxParamLength. API
    // paths: the console's /agents/ pages answer such an address with their HTML 400 page instead.
    for (const url of ['/v1/identity/%ff', `/api/v1/agents/${'a'.repeat(501)}`]) {
      const res = await app.inject({ method: 'GET', url, headers: { origin: ORIGIN } });
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().code, 'VALIDATION_FAILED', url);
      // A browser page reads the code, not an opaque network error.
      assert.equal(res.headers['access-control-allow-origin'], ORIGIN, url);
      assert.equal(res.headers.vary, 'Origin', url);
      const foreign = await app.inject({ method: 'GET', url, headers: { origin: 'https://evil.example' } });
      assert.equal(foreign.headers['access-control-allow-origin'], undefined, url);
    }
  } finally {
    await app.close();
    await storage.close();
  }
});
