// Review: Fastify parses the body of a request no route matched before its not-found handler runs (for a content
// type it has a parser for: JSON), so the answer to a wrong method or path depended on a body no route would read.
// `POST /nope` with `{` was 400 INVALID_JSON, with 70 KB 413 BODY_TOO_LARGE, gzip-encoded 415, and a POST of a GET
// route with a repeated member 400 instead of 405 with its Allow; a text/plain body got the 404. Every such request
// is now the 404 or 405 of its path whatever it carries, and its body is never parsed.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

const JSON_TYPE = { 'content-type': 'application/json' };

eachEngine('a request no route matches is 404 or 405 whatever its body, which is not parsed', async ({ open }) => {
  const t = await makeApp(await open(), { env: { VOUCH_LOG_LEVEL: 'silent' } });
  try {
    const cases: Array<
      [method: string, url: string, headers: Record<string, string>, payload: string, allow?: string]
    > = [
      ['POST', '/nope', JSON_TYPE, '{'],
      ['PUT', '/nope', JSON_TYPE, `{"a":"${'x'.repeat(70_000)}"}`],
      ['PATCH', '/nope', { ...JSON_TYPE, 'content-encoding': 'gzip' }, '{}'],
      ['DELETE', '/nope', JSON_TYPE, '{"__proto__":{}}'],
      ['POST', '/nope', { 'content-type': 'text/plain' }, 'x'],
      ['POST', '/api/v1/agents/abc', JSON_TYPE, '{"a":1,"a":2}', 'GET, HEAD'],
      ['GET', '/api/registry/issue', JSON_TYPE, '[[[[', 'POST'],
    ];
    for (const [method, url, headers, payload, allow] of cases) {
      const what = `${method} ${url} ${JSON.stringify(headers)} ${payload.slice(0, 20)}`;
      const res = await t.app.inject({ method: method as 'POST', url, headers, payload });
      assert.equal(res.statusCode, allow === undefined ? 404 : 405, `${what}: ${res.body.slice(0, 100)}`);
      assert.equal(res.json().code, allow === undefined ? 'NOT_FOUND' : 'METHOD_NOT_ALLOWED', what);
      assert.equal(res.headers.allow, allow, what);
    }
    // A route that exists still reads its body.
    const parsed = await t.app.inject({
      method: 'POST',
      url: '/api/registry/verify',
      headers: JSON_TYPE,
      payload: '{',
    });
    assert.equal(parsed.statusCode, 400);
    assert.equal(parsed.json().code, 'INVALID_JSON');
  } finally {
    await t.app.close();
  }
});
