import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import type { VouchModule } from '../../src/module.ts';
import { jsonTextDepth } from '../../src/http/json-body.ts';
import { ApiError } from '../../src/errors.ts';
import { VouchError, type VouchErrorCode } from '@vouch/sdk';

/** A route with a strict body schema, registered like a module's, to exercise parsing and validation. */
const echoRoutes = (app: FastifyInstance) => {
  app.post(
    '/test/echo',
    {
      // Room for the deeply nested body below: the default limit would answer it 413 before the parser saw it.
      bodyLimit: 1024 * 1024,
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'count'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 20 },
            count: { type: 'integer', minimum: 0 },
            tags: { type: 'array', items: { type: 'string' } },
            nested: { type: 'object' },
          },
        },
      },
    },
    async (req) => ({ received: req.body }),
  );
  app.get('/test/boom', { config: { policy: { caller: 'public', rateLimit: 'default' } } }, async () => {
    throw new Error('secret internal detail');
  });
  // What the SDK throws inside a route: a refusal of caller input, or a failure of the server's own signing.
  app.get('/test/sdk/:code', { config: { policy: { caller: 'public', rateLimit: 'default' } } }, async (req) => {
    throw new VouchError((req.params as { code: VouchErrorCode }).code, 'sdk detail');
  });
};

const echoModule: VouchModule = { name: 'echo', routes: echoRoutes };

function post(app: FastifyInstance, payload: string, contentType = 'application/json') {
  return app.inject({ method: 'POST', url: '/test/echo', payload, headers: { 'content-type': contentType } });
}

function assertError(
  res: { statusCode: number; json(): unknown; headers: Record<string, unknown> },
  status: number,
  code: string,
) {
  assert.equal(res.statusCode, status);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.json() as { error: unknown; code: unknown };
  assert.equal(body.code, code);
  assert.equal(typeof body.error, 'string');
  assert.ok((body.error as string).length > 0);
  assert.doesNotMatch(body.error as string, /at .*\.ts:\d+/, 'no stack trace in an error');
}

eachEngine('bad input gets a 4xx JSON error with a stable code and writes nothing', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { modules: [echoModule] });
  try {
    const before = await tableCounts(storage);

    const ok = await post(app, JSON.stringify({ name: 'a', count: 1 }));
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { received: { name: 'a', count: 1 } });

    assertError(await post(app, '{"name": "a", "count": 1'), 400, 'INVALID_JSON');
    assertError(await post(app, ''), 400, 'INVALID_JSON');
    assertError(await post(app, 'null'), 400, 'VALIDATION_FAILED');
    assertError(await post(app, '{"name":"a","count":1}', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assertError(await post(app, 'name=a&count=1', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assertError(
      await post(app, JSON.stringify({ name: 'a', count: 1, nested: { x: 'y'.repeat(2_000_000) } })),
      413,
      'BODY_TOO_LARGE',
    );

    // A Content-Length that promises more or fewer bytes than arrived is named, not "malformed" in general.
    for (const length of ['100', '1']) {
      const res = await app.inject({
        method: 'POST',
        url: '/test/echo',
        payload: JSON.stringify({ name: 'a', count: 1 }),
        headers: { 'content-type': 'application/json', 'content-length': length },
      });
      assertError(res, 400, 'VALIDATION_FAILED');
      assert.match((res.json() as { error: string }).error, /Content-Length/, length);
    }

    const deep = `{"name":"a","count":1,"nested":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`;
    assertError(await post(app, deep), 400, 'JSON_TOO_DEEP');
    const deepArrays = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    assertError(await post(app, deepArrays), 400, 'JSON_TOO_DEEP');

    assertError(await post(app, '{"name":"a","count":1,"__proto__":{"admin":true}}'), 400, 'VALIDATION_FAILED');
    assertError(await post(app, '{"name":"a","count":1,"\\u005f_proto__":{"admin":true}}'), 400, 'VALIDATION_FAILED');

    // Validation errors name the field.
    let res = await post(app, JSON.stringify({ name: 'a' }));
    assertError(res, 400, 'VALIDATION_FAILED');
    assert.equal((res.json() as { field: string }).field, 'body.count');
    assert.match((res.json() as { error: string }).error, /body\.count is required/);

    res = await post(app, JSON.stringify({ name: 'a', count: '1' }));
    assertError(res, 400, 'VALIDATION_FAILED');
    assert.equal((res.json() as { field: string }).field, 'body.count', 'no coercion of "1" into 1 in bodies');

    res = await post(app, JSON.stringify({ name: 'a', count: 1, tags: ['x', 5] }));
    assertError(res, 400, 'VALIDATION_FAILED');
    assert.equal((res.json() as { field: string }).field, 'body.tags[1]');

    res = await post(app, JSON.stringify({ name: 'a', count: 1, admin: true }));
    assertError(res, 400, 'VALIDATION_FAILED');
    assert.equal((res.json() as { field: string }).field, 'body.admin');

    assertError(await app.inject({ method: 'GET', url: '/no/such/route' }), 404, 'NOT_FOUND');
    assertError(await app.inject({ method: 'GET', url: '/test/boom' }), 500, 'INTERNAL');
    const boom = await app.inject({ method: 'GET', url: '/test/boom' });
    assert.doesNotMatch(boom.body, /secret internal detail/);

    assert.deepEqual(await tableCounts(storage), before, 'no bad request wrote anything');
  } finally {
    await app.close();
    await storage.close();
  }
});

eachEngine(
  'SDK errors: refused caller input is a 400 with its code, a server-side failure a logged 500',
  async ({ open }) => {
    const storage = await open();
    const { app, logs } = await makeApp(storage, { modules: [echoModule] });
    try {
      for (const code of [
        'INVALID_KEY',
        'JWT_MALFORMED',
        'DUPLICATE_KEY',
        'REGISTRY_INVALID',
        'UNSUPPORTED_JSON_VALUE',
      ]) {
        const res = await app.inject({ method: 'GET', url: `/test/sdk/${code}` });
        assertError(res, 400, code);
        assert.equal((res.json() as { error: string }).error, 'sdk detail');
      }
      const unhandled = () =>
        logs.lines
          .map((l) => JSON.parse(l) as { msg: string; err?: { code: string } })
          .filter((l) => l.msg === 'unhandled error');
      assert.equal(unhandled().length, 0);
      for (const code of ['CRYPTO_ERROR', 'JSON_CYCLE']) {
        const res = await app.inject({ method: 'GET', url: `/test/sdk/${code}` });
        assertError(res, 500, 'INTERNAL');
        assert.doesNotMatch(res.body, /sdk detail/);
      }
      assert.deepEqual(
        unhandled().map((l) => l.err?.code),
        ['CRYPTO_ERROR', 'JSON_CYCLE'],
      );
    } finally {
      await app.close();
      await storage.close();
    }
  },
);

test('jsonTextDepth counts nesting outside strings only', () => {
  assert.equal(jsonTextDepth('1'), 0);
  assert.equal(jsonTextDepth('[]'), 1);
  assert.equal(jsonTextDepth('{"a":[{"b":[]}]}'), 4);
  assert.equal(jsonTextDepth('{"a":"[[[[{{{{"}'), 1);
  assert.equal(jsonTextDepth('{"a":"\\"[[["}'), 1);
  assert.equal(jsonTextDepth('['.repeat(1000), 10), 11, 'stops early once past the limit');
});

test('ApiError carries the status of its code', () => {
  assert.equal(new ApiError('RATE_LIMITED', 'x').statusCode, 429);
  assert.equal(new ApiError('BODY_TOO_LARGE', 'x').statusCode, 413);
  assert.equal(new ApiError('UNAUTHORIZED', 'x').statusCode, 401);
});
