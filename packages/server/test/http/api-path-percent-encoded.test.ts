// Review: the router matches a path after decoding its percent-encoded unreserved characters (`/heal%74hz` is
// /healthz), but the rule that gives a browser an HTML error page outside the API (web/error-pages.ts isApiPath) read
// the path as sent: `/%76%31/nope`, which is /v1/nope, got the console's HTML 404, and `/%61pi/v1/agents/%ZZ` its HTML
// 400, where PROTOCOL.md says errors under /api, /v1, /.well-known, ... are JSON whoever asks. The API roots are now
// recognised in either spelling; an encoded `/` (%2F), which the router keeps as part of a segment, is not decoded.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

eachEngine('a percent-encoded API path gets the JSON error, as its plain spelling does', async ({ open }) => {
  const t = await makeApp(await open(), { env: { VOUCH_LOG_LEVEL: 'silent' } });
  try {
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: BROWSER });
    const cases: Array<[url: string, status: number, code: string]> = [
      ['/%76%31/nope', 404, 'NOT_FOUND'],
      ['/v%31/nope', 404, 'NOT_FOUND'],
      ['/%61pi', 404, 'NOT_FOUND'],
      ['/.well%2Dknown/nope', 404, 'NOT_FOUND'],
      ['/.well%2dknown/nope?x=%ZZ', 404, 'NOT_FOUND'],
      ['/%61pi/v1/agents/%ZZ', 400, 'VALIDATION_FAILED'],
    ];
    for (const [url, status, code] of cases) {
      const res = await get(url);
      assert.equal(res.statusCode, status, `${url}: ${res.body.slice(0, 80)}`);
      assert.match(String(res.headers['content-type']), /^application\/json/, url);
      assert.equal(res.json().code, code, url);
    }
    // The plain spelling the router reads them as: JSON too.
    assert.match(String((await get('/v1/nope')).headers['content-type']), /^application\/json/);
    // Page paths keep their HTML pages, encoded or not; %2F is a segment's character, not a separator.
    for (const url of ['/nope', '/%6Eope', '/v1%2Fnope', '/%76%31x/nope']) {
      const res = await get(url);
      assert.equal(res.statusCode, 404, url);
      assert.match(String(res.headers['content-type']), /^text\/html/, url);
    }
  } finally {
    await t.app.close();
  }
});
