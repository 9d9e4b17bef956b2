// Mutation gaps in http/error-handler.ts and the JSON body parser's content-type check (http/json-body.ts):
// - an error that carries a 5xx statusCode (a library's or Fastify's own) is the server's fault: INTERNAL, logged
//   with its message and stack for the operator, and nothing of it in the answer;
// - one that carries a 4xx statusCode is the caller's: VALIDATION_FAILED with that status, not logged as unhandled;
// - only application/json and application/<x>+json bodies are parsed: a content type that merely starts with
//   "application/json" is another media type, answered 415.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import type { VouchModule } from '../../src/module.ts';

const PUBLIC = { config: { policy: { caller: 'public' as const, rateLimit: 'default' as const } } };

const routes = (app: FastifyInstance) => {
  app.get('/test/status-500', PUBLIC, async () => {
    throw Object.assign(new Error('pool exhausted at db-7.internal:5432'), { statusCode: 500, code: 'LIB_FAILED' });
  });
  app.get('/test/status-503', PUBLIC, async () => {
    throw Object.assign(new Error('upstream db-7.internal down'), { statusCode: 503 });
  });
  for (const status of [400, 422, 499]) {
    app.get(`/test/status-${status}`, PUBLIC, async () => {
      throw Object.assign(new Error('bad input near db-7.internal:5432'), { statusCode: status, code: 'LIB_REFUSED' });
    });
  }
  app.post('/test/echo', PUBLIC, async (req) => ({ received: req.body }));
};
const testModule: VouchModule = { name: 'mutation-gaps-errors', routes };

interface LogLine {
  msg: string;
  err?: { code?: string; message?: string; stack?: string };
}

eachEngine('an error carrying a 5xx status is INTERNAL, logged in full, and leaks nothing', async ({ open }) => {
  const storage = await open();
  const { app, logs } = await makeApp(storage, { modules: [testModule] });
  try {
    for (const url of ['/test/status-500', '/test/status-503']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 500, url);
      assert.deepEqual(res.json(), { error: 'The server failed to handle this request.', code: 'INTERNAL' });
      assert.doesNotMatch(res.body, /db-7|internal:5432/);
    }
    const unhandled = logs.lines.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'unhandled error');
    assert.equal(unhandled.length, 2, 'each 5xx is logged for the operator');
    assert.equal(unhandled[0]!.err?.code, 'LIB_FAILED');
    assert.equal(unhandled[0]!.err?.message, 'pool exhausted at db-7.internal:5432');
    assert.match(unhandled[0]!.err?.stack ?? '', /pool exhausted[\s\S]*\n\s+at /);
  } finally {
    await app.close();
    await storage.close();
  }
});

eachEngine("an error carrying a 4xx status is the caller's: VALIDATION_FAILED with that status", async ({ open }) => {
  const storage = await open();
  const { app, logs } = await makeApp(storage, { modules: [testModule] });
  try {
    for (const status of [400, 422, 499]) {
      const res = await app.inject({ method: 'GET', url: `/test/status-${status}` });
      assert.equal(res.statusCode, status);
      assert.deepEqual(res.json(), { error: 'The request is malformed.', code: 'VALIDATION_FAILED' });
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
    const unhandled = logs.lines.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'unhandled error');
    assert.equal(unhandled.length, 0, 'a client mistake is not logged as a server fault');
  } finally {
    await app.close();
    await storage.close();
  }
});

eachEngine('only application/json and +json content types are parsed as JSON', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { modules: [testModule] });
  try {
    const post = (contentType: string) =>
      app.inject({ method: 'POST', url: '/test/echo', payload: '{"a":1}', headers: { 'content-type': contentType } });
    for (const ok of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON;charset=UTF-8',
      'application/merge-patch+json',
    ]) {
      const res = await post(ok);
      assert.equal(res.statusCode, 200, `${ok}: ${res.body}`);
      assert.deepEqual(res.json(), { received: { a: 1 } });
    }
    for (const refused of ['application/jsonx', 'application/json-seq', 'application/json5', 'application/jsonp']) {
      const res = await post(refused);
      assert.equal(res.statusCode, 415, `${refused}: ${res.body}`);
      assert.equal(res.json().code, 'UNSUPPORTED_MEDIA_TYPE');
    }
  } finally {
    await app.close();
    await storage.close();
  }
});
