// GET /api/registry/revocations?since=<ISO-8601 time> against docs/PROTOCOL.md "Revocation list": the entries revoked
// after that time: a time equal to a revocation's own `revoked_at` leaves it out, and a millisecond earlier lists it.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import type { TestApp } from '../helpers/app.ts';
import { ADMIN, issue, post, registerAgent, tokenApp } from './helpers.ts';

async function listedSince(t: TestApp, since: string): Promise<string[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/registry/revocations?since=${encodeURIComponent(since)}`,
  });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { revoked: Array<{ jti: string }> }).revoked.map((r) => r.jti);
}

eachEngine('contract: revocations `since` an ISO-8601 time lists only those revoked after it', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const first = await issue(t, agent);
  const second = await issue(t, agent);
  t.clock.advance(1234);
  assert.equal((await post(t, '/api/registry/revoke', { jti: first.jti }, ADMIN)).statusCode, 200);
  const at = t.clock.now();
  t.clock.advance(1);
  assert.equal((await post(t, '/api/registry/revoke', { jti: second.jti }, ADMIN)).statusCode, 200);

  assert.deepEqual(await listedSince(t, new Date(at - 1).toISOString()), [first.jti, second.jti]);
  assert.deepEqual(await listedSince(t, new Date(at).toISOString()), [second.jti]);
  assert.deepEqual(await listedSince(t, new Date(at + 1).toISOString()), []);
  await t.app.close();
});
