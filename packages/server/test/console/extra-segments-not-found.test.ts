// Review: a page path no route matches (an agent page with extra segments such as /agents/a/b, /registry/x,
// /tokens/inspect/x, /verify/sig/<hash>) answered a browser the app-wide JSON 404, while /agents/<unknown> and
// /agents/%ZZ answer HTML pages. A browser (Accept: text/html, as /verify/ decides) now gets the 404 page of the
// module whose pages live there, with the page headers; other callers and API paths keep the JSON 404. (Other page
// paths, /foo included, now get the console's 404 page too: browser-error-pages.test.ts.)
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

const ENV = { VOUCH_POW_DIFFICULTY: '0', VOUCH_PUBLIC_URL: 'https://vouch.test' };
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

function assertHtml404(res: LightMyRequestResponse, url: string): string {
  assert.equal(res.statusCode, 404, url);
  assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/, url);
  assert.match(String(res.headers['content-security-policy']), /default-src 'self'/, url);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
  assert.equal(res.headers['x-frame-options'], 'DENY', url);
  assert.ok(res.headers['x-request-id'], `${url}: the headers every answer carries`);
  assert.match(res.body, /<h1>Not found<\/h1>/, url);
  assert.ok(!res.body.includes('<script'), url);
  return res.body;
}

function assertJson404(res: LightMyRequestResponse, url: string): void {
  assert.equal(res.statusCode, 404, url);
  assert.match(String(res.headers['content-type']), /^application\/json/, url);
  assert.equal(res.json().code, 'NOT_FOUND', url);
}

const CONSOLE = [
  '/agents/a/b',
  `/agents/did:identity:${'a'.repeat(26)}/extra`,
  '/agents/a/',
  '/agents/a/b?tab=1',
  '/registry/x',
  '/registry/',
  '/tokens/inspect/x',
  '/tokens/x',
];
const VERIFY = ['/verify/a/b', `/verify/sig/${'ab'.repeat(32)}`, '/verify/a/'];

eachEngine('page paths with extra segments answer a browser an HTML 404; others keep JSON', async ({ open }) => {
  const t = await makeApp(await open(), { env: ENV });
  try {
    for (const url of CONSOLE) {
      const html = assertHtml404(await t.app.inject({ method: 'GET', url, headers: BROWSER }), url);
      assert.match(html, /<code id="error-code">NOT_FOUND<\/code>/, `${url}: the API's code`);
      assert.match(html, /<nav/, `${url}: in the console's layout`);
      assert.doesNotMatch(html, /a\/b|extra|tab=1/, `${url}: the path is not echoed`);
    }
    for (const url of VERIFY) assertHtml404(await t.app.inject({ method: 'GET', url, headers: BROWSER }), url);
    // HEAD as GET: the status and type, without a body.
    const head = await t.app.inject({ method: 'HEAD', url: '/agents/a/b', headers: BROWSER });
    assert.equal(head.statusCode, 404);
    assert.match(String(head.headers['content-type']), /^text\/html/);

    // Not a browser, not a page, or not a GET: the JSON 404 as before.
    for (const url of [...CONSOLE, ...VERIFY]) {
      for (const accept of ['application/json', '*/*']) {
        assertJson404(await t.app.inject({ method: 'GET', url, headers: { accept } }), `${url} (${accept})`);
      }
      assertJson404(await t.app.inject({ method: 'GET', url }), `${url} (no Accept)`);
      assertJson404(await t.app.inject({ method: 'POST', url, headers: BROWSER }), `POST ${url}`);
    }
    for (const url of ['/api/v1/agents/a/b', '/v1/identity/a/b/c', '/api/registry/x', '/.well-known/x']) {
      assertJson404(await t.app.inject({ method: 'GET', url, headers: BROWSER }), url);
    }

    // Unmatched requests are still counted as such.
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': t.adminKey } });
    assert.match(metrics.body, /vouch_http_requests_total\{method="GET",route="unmatched",status="404"\} \d+/);
  } finally {
    await t.app.close();
  }
});
