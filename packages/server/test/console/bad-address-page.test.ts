// Review: an agent page address the router cannot read (malformed percent-encoding, a path that is not UTF-8, a DID
// longer than any route parameter) answers an HTML 400 page in the console's layout, with the page headers and the
// API's code, like the console's other errors; it answered the API's JSON 400. API paths keep their JSON answer.
// As every error page no route gives, it is for a browser's GET or HEAD only (browser-error-pages.test.ts): other
// callers get the JSON 400, which they used to get an HTML page for.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

const ENV = { VOUCH_POW_DIFFICULTY: '0', VOUCH_PUBLIC_URL: 'https://vouch.test' };

function assertHtml400(res: LightMyRequestResponse, url: string): void {
  assert.equal(res.statusCode, 400, url);
  assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/, url);
  assert.match(String(res.headers['content-security-policy']), /default-src 'self'/, url);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
  assert.equal(res.headers['x-frame-options'], 'DENY', url);
  assert.ok(res.headers['x-request-id'], `${url}: the headers every answer carries`);
  assert.match(res.body, /<h1>Bad request<\/h1>/, url);
  assert.match(res.body, /<code id="error-code">VALIDATION_FAILED<\/code>/, url);
  assert.match(res.body, /<nav/, `${url}: in the console's layout`);
}

eachEngine(
  'an unreadable agent page address is an HTML 400 page for a browser; an API path stays JSON',
  async ({ open }) => {
    const t = await makeApp(await open(), { env: ENV });
    try {
      for (const url of ['/agents/%ZZ', '/agents/%E0%A4%A', '/agents/%C0%80', `/agents/${'a'.repeat(600)}`]) {
        assertHtml400(await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } }), url);
        for (const accept of ['*/*', 'application/json']) {
          const res = await t.app.inject({ method: 'GET', url, headers: { accept } });
          assert.equal(res.statusCode, 400, `${url} (${accept})`);
          assert.equal(res.json().code, 'VALIDATION_FAILED', `${url} (${accept})`);
        }
      }
      for (const url of ['/v1/identity/%ZZ', '/api/v1/agents/%ZZ', '/api/%ZZ', '/.well-known/%ZZ']) {
        const res = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
        assert.equal(res.statusCode, 400, url);
        assert.match(String(res.headers['content-type']), /^application\/json/, url);
        assert.deepEqual(res.json(), { error: 'The request could not be parsed.', code: 'VALIDATION_FAILED' }, url);
      }
    } finally {
      await t.app.close();
    }
  },
);
