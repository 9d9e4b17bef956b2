// Review: the public agent page `/verify/{x}` answers a browser (Accept: text/html) with HTML pages, its 404 included;
// an address the router cannot read (`/verify/%ZZ`, a path that is not UTF-8, a parameter past the router's limit) or
// a reference longer than the route accepts answered the API's JSON 400 instead. It is now an HTML 400 page with the
// API's code for a browser; other callers keep the JSON answer, as they get JSON for an unknown slug.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { TEST_ENV } from './helpers.ts';

eachEngine(
  '/verify/ addresses a browser cannot have meant: an HTML 400 for browsers, JSON for others',
  async ({ open }) => {
    const t = await makeApp(await open(), { env: TEST_ENV });
    try {
      for (const url of [
        '/verify/%ZZ',
        '/verify/%E0%A4%A',
        `/verify/${'a'.repeat(600)}`,
        `/verify/${'a'.repeat(201)}`,
      ]) {
        const html = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html,application/xhtml+xml' } });
        assert.equal(html.statusCode, 400, url);
        assert.match(String(html.headers['content-type']), /^text\/html; charset=utf-8/, url);
        assert.match(String(html.headers['content-security-policy']), /default-src 'self'/, url);
        assert.equal(html.headers['x-content-type-options'], 'nosniff', url);
        assert.match(html.body, /^<!doctype html>/i, url);
        assert.match(html.body, /<code id="error-code">VALIDATION_FAILED<\/code>/, url);

        const api = await t.app.inject({ method: 'GET', url, headers: { accept: 'application/json' } });
        assert.equal(api.statusCode, 400, url);
        assert.match(String(api.headers['content-type']), /^application\/json/, url);
        assert.equal(api.json().code, 'VALIDATION_FAILED', url);
      }
      // The refusal of a reference past the route's limit still names the parameter for an API client.
      const long = await t.app.inject({ method: 'GET', url: `/verify/${'a'.repeat(201)}` });
      assert.equal(long.json().field, 'params.x');
    } finally {
      await t.app.close();
    }
  },
);
