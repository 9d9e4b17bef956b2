// Answers made before any route runs carry the headers every answer carries (x-request-id, cache-control: no-store):
// Fastify's frameworkErrors (a path that is not valid UTF-8, a path parameter longer than maxParamLength) run no
// onRequest hook, so they answered without them. Unknown routes (the not-found handler) carry them too.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function assertCommonHeaders(name: string, res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, `${name}: ${res.body}`);
  assert.equal((res.json() as { code: string }).code, code, name);
  assert.match(String(res.headers['x-request-id']), UUID, `${name} carries x-request-id`);
  assert.equal(res.headers['cache-control'], 'no-store', `${name} carries cache-control: no-store`);
}

eachEngine('answers made before routing carry x-request-id and cache-control: no-store', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: { VOUCH_LOG_LEVEL: 'silent' } });
  try {
    const badUtf8 = await app.inject({ method: 'GET', url: '/v1/%E0%A4%A' });
    assertCommonHeaders('a path that is not valid UTF-8', badUtf8, 400, 'VALIDATION_FAILED');
    const longParam = await app.inject({ method: 'GET', url: `/verify/${'a'.repeat(501)}` });
    assertCommonHeaders('a path parameter longer than maxParamLength', longParam, 400, 'VALIDATION_FAILED');
    const unknown = await app.inject({ method: 'GET', url: '/no/such/route' });
    assertCommonHeaders('an unknown route', unknown, 404, 'NOT_FOUND');
    // Each answer has its own id.
    const again = await app.inject({ method: 'GET', url: '/v1/%E0%A4%A' });
    assert.notEqual(again.headers['x-request-id'], badUtf8.headers['x-request-id']);
  } finally {
    await app.close();
    await storage.close();
  }
});
