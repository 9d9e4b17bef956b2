// The retired-key iat rule (keys.ts): once the capability key is retired, it verifies only tokens it can have signed
// before every process stopped using it (retirement + key cache + clock skew). A process whose clock runs far ahead
// and still holds the old key in its cache signs a token the gateway records; the intercept must still refuse it.
import assert from 'node:assert/strict';
import { decodeJwt } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { NO_CHANGES } from '../../src/storage/index.ts';
import { admin, post } from '../registry/fixtures.ts';
import { intercept, issue } from './helpers.ts';

const X = 'agent:my-assistant:v1';
const REQ = { agentId: X, resource: 'payments:invoices', action: 'read', expiresIn: 3600 };
const AHEAD_MS = 10 * 60_000;

eachEngine('a retired key verifies no token with an iat after it stopped signing', async ({ open }) => {
  const kek = Buffer.alloc(32, 7);
  const a = await makeApp(await open(), { kek });
  // Process B shares the database; its clock is ten minutes ahead, and its change listener is down (reconnecting):
  // it hears no announcement of the rotation, so its key cache is what bounds how long it signs with the old key.
  const b = await makeApp({ ...(await open()), changes: NO_CHANGES }, { kek, clock: new ManualClock(T0 + AHEAD_MS) });
  try {
    // A signs a token at T0; B loads the same capability key (its cache is fresh for a minute of B's time).
    const first = await issue(a.app, REQ, admin(a.adminKey));
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const oldKid = decodeJwt(first.body.token!).header.kid!;
    const warm = await issue(b.app, REQ, admin(b.adminKey));
    assert.equal(decodeJwt(warm.body.token!).header.kid, oldKid);

    // A rotates at T0: the old key's tokens must have an iat before T0 + cache + skew.
    const rotated = await post(a.app, '/api/v1/admin/keys/rotate', { purpose: 'capability' }, admin(a.adminKey));
    assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
    assert.deepEqual(rotated.body.retired, [oldKid]);

    // B, unaware, signs another token with the old key; it is recorded like any other.
    const late = await issue(b.app, REQ, admin(b.adminKey));
    assert.equal(late.status, 201, JSON.stringify(late.body));
    assert.equal(decodeJwt(late.body.token!).header.kid, oldKid);

    // At B's time, A's gateway refuses the late token and still allows the one signed before.
    a.clock.set(T0 + AHEAD_MS);
    assert.deepEqual(await intercept(a.app, first.body.token!, X), { decision: 'allow' });
    const d = await intercept(a.app, late.body.token!, X);
    assert.equal(d.decision, 'deny');
    assert.equal(d.code, 'INVALID_SIGNATURE');
  } finally {
    await b.app.close();
    await a.app.close();
  }
});
