// GET /api/registry/revocations?since=<ISO-8601 time> for a time in the years 0000–0099, such as the minimum value
// some platforms send for "from the beginning" (0001-01-01T00:00:00Z): a date on the calendar, so the whole list,
// not 400. (Date.UTC reads the years 0–99 as 1900–1999, which made the calendar check refuse them.)
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, issue, post, registerAgent, tokenApp } from './helpers.ts';

eachEngine('contract: revocations `since` takes a time in the years 0000 to 0099', async ({ open }) => {
  const t = await tokenApp(await open());
  try {
    const agent = await registerAgent(t);
    const { jti } = await issue(t, agent);
    assert.equal((await post(t, '/api/registry/revoke', { jti }, ADMIN)).statusCode, 200);
    for (const since of ['0001-01-01T00:00:00Z', '0000-01-01', '0004-02-29', '0099-12-31T23:59:59+00:00']) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/registry/revocations?since=${encodeURIComponent(since)}`,
      });
      assert.equal(res.statusCode, 200, `${since}: ${res.body}`);
      assert.deepEqual(
        (res.json() as { revoked: Array<{ jti: string }> }).revoked.map((r) => r.jti),
        [jti],
        since,
      );
    }
    // Still on the calendar only: year 1 had no 29 February.
    const res = await t.app.inject({ method: 'GET', url: '/api/registry/revocations?since=0001-02-29' });
    assert.equal(res.statusCode, 400, res.body);
  } finally {
    await t.app.close();
  }
});
