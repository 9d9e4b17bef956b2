// Gap found by mutation testing in listRevocations (service.ts): `has_more` says whether entries follow the page, so
// a page that holds exactly the last `limit` entries says false, and an offline verifier's sync stops there instead
// of asking for one more, empty, page. Mutation caught: `rows.length > q.limit` changed to `>=`.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, issue, post, registerAgent, tokenApp } from './helpers.ts';

eachEngine('a revocation page holding exactly the last `limit` entries says has_more: false', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  for (let i = 0; i < 2; i++) {
    const { jti } = await issue(t, agent);
    assert.equal((await post(t, '/api/registry/revoke', { jti }, ADMIN)).statusCode, 200);
  }
  const res = await t.app.inject({ method: 'GET', url: '/api/registry/revocations?limit=2' });
  assert.equal(res.statusCode, 200, res.body);
  const page = res.json() as { count: number; has_more: boolean };
  assert.deepEqual([page.count, page.has_more], [2, false]);
  await t.app.close();
});
