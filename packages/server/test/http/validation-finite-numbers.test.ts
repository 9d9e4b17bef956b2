// The body validator refuses numbers JSON cannot carry as numbers: a body's 1e400 parses as Infinity, which a `number`
// or `integer` schema without bounds would otherwise take as valid. (A query's "Infinity" is coerced after Ajv's type
// check, so there only bounds refuse it; every query number has them.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { installValidators } from '../../src/http/validation.ts';

async function appWithUnboundedNumbers() {
  const app = Fastify();
  installValidators(app);
  const numbers = { n: { type: 'number' }, i: { type: 'integer' } };
  app.post('/body', { schema: { body: { type: 'object', properties: numbers } } }, async () => ({ ok: true }));
  app.get('/query', { schema: { querystring: { type: 'object', properties: numbers } } }, async () => ({ ok: true }));
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
