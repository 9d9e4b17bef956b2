// Review: a request target in absolute form (`GET http://host/v1/nope HTTP/1.1`, RFC 9112 §3.2.2, which a server
// must accept) is routed by its path, but the rule that gives a browser an HTML error page outside the API
// (web/error-pages.ts wantsErrorPage) read the whole target, found no API root at its start, and answered the
// console's HTML 404 for /v1/nope, where PROTOCOL.md says errors under the API's roots are JSON whoever asks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { wantsErrorPage } from '../../src/web/error-pages.ts';

const browserGet = (url: string) => ({ method: 'GET', url, headers: { accept: 'text/html' } }) as FastifyRequest;

test('an absolute-form request target is judged by its path, as the router routes it', () => {
  for (const url of ['http://x/v1/nope', 'HTTPS://vouch.example:8443/api/x?y=1', 'http://x/.well-known/nope']) {
    assert.equal(wantsErrorPage(browserGet(url)), false, url);
  }
  for (const url of ['http://x/nope', 'http://x', 'http://x?v1', 'http://x/v1x', '/nope']) {
    assert.equal(wantsErrorPage(browserGet(url)), true, url);
  }
});
