// Review: which requests no route answers get an HTML page was decided path by path: the console's extra segments
// (/agents/a/b) got its 404 page, but /agents, /tokens, /registry/ and unknown paths such as /foo the JSON 404;
// /agents/%ZZ an HTML 400 for every caller, /registry/%ZZ and /tokens/%ZZ the JSON 400. One rule now: a browser's
// (Accept naming text/html) GET or HEAD of a path outside the API gets the HTML 404 or 400 page with the code (the
// verify pages' own under /verify/, the console's elsewhere); everything else the JSON error. Pages that exist
// (/agents/<unknown>) still answer HTML to every caller.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import type { LightMyRequestResponse } from 'fastify';
import { installErrorHandler } from '../../src/http/error-handler.ts';
import { PAGE_HEADERS } from '../../src/web/html.ts';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

const ENV = { VOUCH_POW_DIFFICULTY: '0', VOUCH_PUBLIC_URL: 'https://vouch.test' };
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

function assertPage(res: LightMyRequestResponse, status: 400 | 404, code: string, what: string): string {
  assert.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 200)}`);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', what);
  for (const [name, value] of Object.entries(PAGE_HEADERS)) assert.equal(res.headers[name], value, `${what}: ${name}`);
  assert.ok(res.headers['x-request-id'], `${what}: the headers every answer carries`);
  assert.equal(res.headers['cache-control'], 'no-store', what);
  if (res.raw.req.method === 'HEAD') return '';
  assert.match(res.body, /^<!doctype html>/i, what);
  assert.match(res.body, new RegExp(`<h1>${status === 404 ? 'Not found' : 'Bad request'}</h1>`), what);
  assert.match(res.body, new RegExp(`<code id="error-code">${code}</code>`), `${what}: the API's code`);
  assert.ok(!res.body.includes('<script'), what);
  return res.body;
}

function assertJson(res: LightMyRequestResponse, status: number, code: string, what: string): void {
  assert.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 200)}`);
  assert.match(String(res.headers['content-type']), /^application\/json; charset=utf-8/, what);
  assert.equal(res.json().code, code, what);
}

/** The console section marked current in a page's navigation, or undefined for none. */
function currentSection(html: string): string | undefined {
  return /<a href="([^"]*)" aria-current="page">/.exec(html)?.[1];
}

eachEngine('a browser GET or HEAD outside the API gets the HTML 404 or 400 page; all else JSON', async ({ open }) => {
  const t = await makeApp(await open(), { env: ENV });
  try {
    // 404: the console's page, in its layout, the section of the path current.
    const notFound: Array<[url: string, section: string | undefined]> = [
      ['/agents', undefined],
      ['/agents/a/b', undefined],
      ['/tokens', '/tokens/inspect'],
      ['/tokens/x', '/tokens/inspect'],
      ['/registry/', '/registry'],
      ['/registry/x', '/registry'],
      ['/foo', undefined],
      ['/foo/bar?x=1', undefined],
      ['/agentsx/a', undefined],
      ['//agents/a/b', undefined],
      ['/assets/x', undefined],
      ['/apix', undefined],
      ['/docs/x', undefined],
      ['/verify', undefined],
    ];
    for (const [url, section] of notFound) {
      const html = assertPage(await t.app.inject({ method: 'GET', url, headers: BROWSER }), 404, 'NOT_FOUND', url);
      assert.match(html, /<nav class="site"/, `${url}: the console's layout`);
      assert.equal(currentSection(html), section, `${url}: the current section`);
      assertPage(await t.app.inject({ method: 'HEAD', url, headers: BROWSER }), 404, 'NOT_FOUND', `HEAD ${url}`);
    }
    // The path is never shown, escaped or not.
    for (const url of ['/%3Cscript%3Ealert(1)%3C%2Fscript%3E', '/x%22%3E%3Cimg%20src=x%3E', '/echo-me-not/1']) {
      const html = assertPage(await t.app.inject({ method: 'GET', url, headers: BROWSER }), 404, 'NOT_FOUND', url);
      assert.doesNotMatch(html, /script|img|echo-me-not|%3C|&#60;/i, `${url}: the path is not echoed`);
    }
    // Under /verify/: the verify pages' own 404, without the console's navigation.
    const verify = assertPage(
      await t.app.inject({ method: 'GET', url: '/verify/a/b', headers: BROWSER }),
      404,
      'NOT_FOUND',
      '/verify/a/b',
    );
    assert.doesNotMatch(verify, /<nav/);

    // 400: an address the router cannot read, under any page path.
    for (const url of ['/registry/%ZZ', '/tokens/%ZZ', '/agents/%ZZ', '/%ZZ', '/agents%ZZ', '/foo/%E0%A4%A']) {
      const html = assertPage(
        await t.app.inject({ method: 'GET', url, headers: BROWSER }),
        400,
        'VALIDATION_FAILED',
        url,
      );
      assert.match(html, /<nav class="site"/, `${url}: the console's layout`);
      assert.doesNotMatch(html, /%ZZ|%E0/, `${url}: the path is not echoed`);
    }
    const badVerify = await t.app.inject({ method: 'GET', url: '/verify/%ZZ', headers: BROWSER });
    assert.doesNotMatch(assertPage(badVerify, 400, 'VALIDATION_FAILED', '/verify/%ZZ'), /<nav/);

    // API paths: JSON for a browser too.
    for (const url of [
      '/api',
      '/api/v1/agents/a/b',
      '/v1',
      '/v1/identity/a/b/c',
      '/.well-known/x',
      '/docs/json/x',
      '/metrics/x',
      '/healthz/x',
      '/readyz/x',
      '/ingest/x',
    ]) {
      assertJson(await t.app.inject({ method: 'GET', url, headers: BROWSER }), 404, 'NOT_FOUND', url);
    }
    for (const url of [
      '/v1/identity/%ZZ',
      '/api/v1/agents/%ZZ',
      '/.well-known/%ZZ',
      `/api/v1/agents/${'a'.repeat(600)}`,
    ]) {
      assertJson(await t.app.inject({ method: 'GET', url, headers: BROWSER }), 400, 'VALIDATION_FAILED', url);
    }

    // Not a browser: JSON, page paths included.
    for (const headers of [{ accept: 'application/json' }, { accept: '*/*' }, {}]) {
      const who = JSON.stringify(headers);
      for (const url of ['/foo', '/agents', '/registry/x', '/agents/a/b', '/verify/a/b']) {
        assertJson(await t.app.inject({ method: 'GET', url, headers }), 404, 'NOT_FOUND', `${url} ${who}`);
      }
      for (const url of ['/registry/%ZZ', '/agents/%ZZ', `/agents/${'a'.repeat(600)}`, '/verify/%ZZ']) {
        assertJson(await t.app.inject({ method: 'GET', url, headers }), 400, 'VALIDATION_FAILED', `${url} ${who}`);
      }
    }
    // Not a GET or HEAD: JSON, from a browser too.
    assertJson(await t.app.inject({ method: 'POST', url: '/foo', headers: BROWSER }), 404, 'NOT_FOUND', 'POST /foo');
    assertJson(
      await t.app.inject({ method: 'DELETE', url: '/registry/x', headers: BROWSER }),
      404,
      'NOT_FOUND',
      'DELETE',
    );
    assertJson(
      await t.app.inject({ method: 'POST', url: '/agents/%ZZ', headers: BROWSER }),
      400,
      'VALIDATION_FAILED',
      'POST /agents/%ZZ',
    );

    // A page that exists answers its page to every caller, as before: its 404 is the page's own.
    const unknownAgent = await t.app.inject({
      method: 'GET',
      url: '/agents/did:identity:nobody',
      headers: { accept: 'application/json' },
    });
    assertPage(unknownAgent, 404, 'NOT_FOUND', '/agents/did:identity:nobody (JSON asked)');
  } finally {
    await t.app.close();
  }
});

test('page hooks are asked for browser page requests only; without one, a browser gets the JSON 404', async () => {
  const bare = Fastify();
  installErrorHandler(bare);
  const asked: string[] = [];
  const withPages = Fastify();
  installErrorHandler(withPages, undefined, [
    (req, reply) => {
      asked.push(`${req.method} ${req.url}`);
      void reply.type('text/html; charset=utf-8').send('<!doctype html><p>page</p>');
      return true;
    },
  ]);
  try {
    assertJson(await bare.inject({ method: 'GET', url: '/foo', headers: BROWSER }), 404, 'NOT_FOUND', 'no page hook');
    for (const [method, url, headers] of [
      ['GET', '/foo?x=1', BROWSER],
      ['HEAD', '/foo', BROWSER],
      ['GET', '/foo', { accept: '*/*' }],
      ['POST', '/foo', BROWSER],
      ['GET', '/api/x', BROWSER],
      ['GET', '/v1/x?a=/b', BROWSER],
    ] as const) {
      await withPages.inject({ method, url, headers });
    }
    assert.deepEqual(asked, ['GET /foo?x=1', 'HEAD /foo']);
  } finally {
    await bare.close();
    await withPages.close();
  }
});
