// GET /api/v1/admin/audit takes `limit` 1 to 500 (default 100) and `before` an id from 1 (docs/PROTOCOL.md). No test
// held the bounds of its schema (modules/admin/routes.ts): `maximum: 500` raised let one request read the log by the
// thousand, and `minimum: 1` dropped let `limit=0` or `before=0` through; the fuzzer reads the bounds from the same
// schema, so it cannot tell. Out of bounds is 400 VALIDATION_FAILED naming the field; the bounds themselves answer.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, TEST_ADMIN_KEY } from '../helpers/app.ts';

const ADMIN = { 'x-api-key': TEST_ADMIN_KEY };

eachEngine('admin/audit: limit is 1 to 500 and before at least 1, else 400 naming the field', async ({ open }) => {
  const t = await makeApp(await open());
  try {
    const get = (query: string) => t.app.inject({ method: 'GET', url: `/api/v1/admin/audit?${query}`, headers: ADMIN });
    for (const [query, field] of [
      ['limit=0', 'querystring.limit'],
      ['limit=501', 'querystring.limit'],
      ['limit=-1', 'querystring.limit'],
      ['before=0', 'querystring.before'],
      ['before=-5', 'querystring.before'],
    ] as const) {
      const res = await get(query);
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
      const body = res.json() as { code: string; field: string };
      assert.deepEqual([body.code, body.field], ['VALIDATION_FAILED', field], query);
    }
    for (const query of ['limit=1', 'limit=500', 'before=1', '']) {
      const res = await get(query);
      assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
    }
    // `before=1`: nothing is older than the first entry.
    assert.deepEqual((await get('before=1')).json(), { entries: [], next: null });
  } finally {
    await t.app.close();
  }
});
