// GET /api/v1/admin/audit?action=...: every action filter the route's schema lets through is answered, never with a
// 500. The storage refuses an empty action and one over its length (counted in UTF-16 units, where the schema counts
// code points), so those must be settled at the route: an empty filter is the caller's mistake (400 naming the
// field); a long one that no stored action can equal finds nothing.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, TEST_ADMIN_KEY } from '../helpers/app.ts';

const ADMIN = { 'x-api-key': TEST_ADMIN_KEY };

eachEngine('an empty audit action filter is 400 VALIDATION_FAILED naming the field', async ({ open }) => {
  const t = await makeApp(await open());
  try {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit?action=', headers: ADMIN });
    assert.equal(res.statusCode, 400, res.body);
    const body = res.json() as { code: string; field: string };
    assert.equal(body.code, 'VALIDATION_FAILED');
    assert.equal(body.field, 'querystring.action');
  } finally {
    await t.app.close();
  }
});

eachEngine('an audit action filter of 100 astral characters finds nothing instead of failing', async ({ open }) => {
  const t = await makeApp(await open());
  try {
    // 100 code points (the schema's bound), 200 UTF-16 units: longer than any action the log stores.
    const action = encodeURIComponent('\u{1F600}'.repeat(100));
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/audit?action=${action}`, headers: ADMIN });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { entries: [], next: null });
    // A filter of the longest action the log can hold is still a query (and finds nothing here).
    const longest = encodeURIComponent('x'.repeat(100));
    const ok = await t.app.inject({ method: 'GET', url: `/api/v1/admin/audit?action=${longest}`, headers: ADMIN });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { entries: [], next: null });
  } finally {
    await t.app.close();
  }
});
