// GET /api/registry/revocations against docs/PROTOCOL.md "Revocation list": `since` is a cursor or an ISO-8601 time
// (a date that is not on the calendar is refused, not rolled over to another day), the answer carries an ETag and
// `no-cache` and answers 304 while unchanged, and a poller paging by cursor sees every entry once, in order.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, issue, post, registerAgent, tokenApp } from './helpers.ts';

eachEngine('contract: revocations `since` refuses a date that does not exist', async ({ open }) => {
  const t = await tokenApp(await open());
  try {
    for (const since of ['2026-02-30', '2025-02-29T00:00:00Z', '2026-04-31T10:00:00+02:00']) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/registry/revocations?since=${encodeURIComponent(since)}`,
      });
      assert.equal(res.statusCode, 400, `${since}: ${res.body}`);
      assert.deepEqual([res.json().code, res.json().field], ['VALIDATION_FAILED', 'querystring.since'], since);
    }
    for (const since of ['2024-02-29', '2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00+01:00']) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/registry/revocations?since=${encodeURIComponent(since)}`,
      });
      assert.equal(res.statusCode, 200, `${since}: ${res.body}`);
    }
  } finally {
    await t.app.close();
  }
});

eachEngine('contract: revocations page by cursor, with an ETag, no-cache and 304', async ({ open }) => {
  const t = await tokenApp(await open());
  try {
    const agent = await registerAgent(t);
    const jtis: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { jti } = await issue(t, agent);
      const r = await post(t, '/api/registry/revoke', { jti, reason: `r${i}` }, ADMIN);
      assert.equal(r.statusCode, 200, r.body);
      jtis.push(jti);
    }
    const seen: string[] = [];
    let since = '';
    for (;;) {
      const res = await t.app.inject({ method: 'GET', url: `/api/registry/revocations?limit=2&since=${since}` });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(String(res.headers.etag), /^"[0-9a-f]+"$/);
      const body = res.json() as { revoked: Array<{ jti: string }>; count: number; cursor: string; has_more: boolean };
      assert.deepEqual(Object.keys(body).sort(), ['count', 'cursor', 'has_more', 'revoked']);
      assert.equal(body.count, body.revoked.length);
      seen.push(...body.revoked.map((r) => r.jti));
      const again = await t.app.inject({
        method: 'GET',
        url: `/api/registry/revocations?limit=2&since=${since}`,
        headers: { 'if-none-match': String(res.headers.etag) },
      });
      assert.equal(again.statusCode, 304);
      since = body.cursor;
      if (!body.has_more) break;
    }
    assert.deepEqual(seen, jtis);
  } finally {
    await t.app.close();
  }
});
