// Mutation gaps in http/error-handler.ts:
// - only a statusCode from 400 to 499 makes an unknown error the caller's mistake: one carrying a 2xx or 3xx status
//   (a library's, or a mistake of ours) is the server's fault, 500 INTERNAL and logged, never answered as a success
//   or a redirect with an error body;
// - a PostgreSQL conflict (40P01, 40001) wrapped as another error's `cause` is still 503 DATABASE_UNAVAILABLE with
//   Retry-After: 1, as it is unwrapped.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import type { VouchModule } from '../../src/module.ts';

const PUBLIC = { config: { policy: { caller: 'public' as const, rateLimit: 'default' as const } } };

/** `err` wrapped `depth` times as the cause of a plain Error. */
function wrapped(err: Error, depth: number): Error {
  let out = err;
  for (let i = 0; i < depth; i++) out = new Error(`wrapper ${i}`, { cause: out });
  return out;
}

const routes = (app: FastifyInstance) => {
  for (const status of [200, 302, 399]) {
    app.get(`/test/status-${status}`, PUBLIC, async () => {
      throw Object.assign(new Error('odd status near db-7.internal'), { statusCode: status, code: 'LIB_ODD' });
    });
  }
  for (const [name, code] of [
    ['deadlock', '40P01'],
    ['serialization', '40001'],
  ] as const) {
    for (const depth of [1, 4]) {
      app.get(`/test/${name}-${depth}`, PUBLIC, async () => {
        throw wrapped(Object.assign(new Error(`${name} on db-7.internal`), { code }), depth);
      });
    }
  }
};
const testModule: VouchModule = { name: 'mutation-gaps-error-status', routes };

interface LogLine {
  msg: string;
  err?: { code?: string };
}

eachEngine('an error carrying a 2xx or 3xx status is INTERNAL and logged, not a success', async ({ open }) => {
  const storage = await open();
  const { app, logs } = await makeApp(storage, { modules: [testModule] });
  try {
    for (const status of [200, 302, 399]) {
      const res = await app.inject({ method: 'GET', url: `/test/status-${status}` });
      assert.equal(res.statusCode, 500, `${status}: ${res.body}`);
      assert.deepEqual(res.json(), { error: 'The server failed to handle this request.', code: 'INTERNAL' });
      assert.equal(res.headers.location, undefined);
    }
    const unhandled = logs.lines.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'unhandled error');
    assert.deepEqual(
      unhandled.map((l) => l.err?.code),
      ['LIB_ODD', 'LIB_ODD', 'LIB_ODD'],
    );
  } finally {
    await app.close();
    await storage.close();
  }
});

eachEngine('a PostgreSQL conflict wrapped as a cause is 503 with Retry-After: 1', async ({ open }) => {
  const storage = await open();
  const { app, logs } = await makeApp(storage, { modules: [testModule] });
  try {
    for (const url of ['/test/deadlock-1', '/test/deadlock-4', '/test/serialization-1', '/test/serialization-4']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 503, `${url}: ${res.body}`);
      assert.equal(res.json().code, 'DATABASE_UNAVAILABLE', url);
      assert.equal(res.headers['retry-after'], '1', url);
      assert.doesNotMatch(res.body, /db-7/);
    }
    const unhandled = logs.lines.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'unhandled error');
    assert.equal(unhandled.length, 0);
  } finally {
    await app.close();
    await storage.close();
  }
});
