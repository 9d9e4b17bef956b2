// Admin routes count an authenticated admin in a bucket of its own, not in the address's: the limit was counted
// before the caller was checked, so whoever shared the admin's address (everyone, behind a load balancer without
// VOUCH_TRUST_PROXY) could spend the key-rotation route's 10 a minute with wrong keys and lock the admin out of
// rotating a compromised key. Wrong or missing keys are still limited per address, as before.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, twoProcesses } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const ROTATE = '/api/v1/admin/keys/rotate';
const ADMIN_ADDRESS = '203.0.113.9';
const OTHER_ADDRESS = '198.51.100.4';

function rotate(t: TestApp, key: string | undefined, remoteAddress = ADMIN_ADDRESS) {
  return t.app.inject({
    method: 'POST',
    url: ROTATE,
    remoteAddress,
    headers: key === undefined ? {} : { 'x-api-key': key },
    payload: { purpose: 'capability' },
  });
}

eachEngine('wrong keys from the admin’s address do not lock the admin out of key rotation', async ({ open }) => {
  const t = await makeApp(await open());
  try {
    const wrong: number[] = [];
    for (let i = 0; i < 12; i++) wrong.push((await rotate(t, `wrong-key-${i}-0123456789abcdef`)).statusCode);
    assert.deepEqual(wrong, [...Array<number>(10).fill(401), 429, 429]);
    assert.equal((await rotate(t, undefined)).statusCode, 429, 'a missing key counts in the address’s bucket too');

    const admin = await rotate(t, t.adminKey);
    assert.equal(admin.statusCode, 201, admin.body);
    assert.equal(admin.headers['x-ratelimit-remaining'], '9', 'the admin’s own bucket');
    // The admin's requests spend none of the address's allowance, which stays spent until the window ends.
    assert.equal((await rotate(t, 'wrong-key-again-0123456789abcdef')).statusCode, 429);
    assert.equal((await rotate(t, 'wrong-key-other-0123456789abcdef', OTHER_ADDRESS)).statusCode, 401);
    t.clock.advance(60_000);
    assert.equal((await rotate(t, 'wrong-key-later-0123456789abcdef')).statusCode, 401);
  } finally {
    await t.app.close();
  }
});

eachEngine('the admin’s own bucket limits the admin at the route’s limit, from any address', async ({ open }) => {
  const t = await makeApp(await open());
  try {
    for (let i = 0; i < 10; i++) assert.equal((await rotate(t, t.adminKey)).statusCode, 201, `rotation #${i + 1}`);
    const limited = await rotate(t, t.adminKey, OTHER_ADDRESS);
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    // Wrong keys are counted by address, never in the admin's bucket: neither spends the other's allowance.
    assert.equal((await rotate(t, 'wrong-key-0123456789abcdef', OTHER_ADDRESS)).statusCode, 401);
    t.clock.advance(60_000);
    assert.equal((await rotate(t, t.adminKey, OTHER_ADDRESS)).statusCode, 201);
  } finally {
    await t.app.close();
  }
});

eachEngine('other admin routes: the admin’s bucket on a default-limited route, and on both keys', async ({ open }) => {
  const t = await makeApp(await open(), {
    env: { VOUCH_RATE_LIMIT_MAX: '3', VOUCH_ADMIN_KEY_PREVIOUS: 'the-previous-admin-key-0123456789' },
  });
  try {
    const audit = (key: string) =>
      t.app.inject({
        method: 'GET',
        url: '/api/v1/admin/audit',
        remoteAddress: ADMIN_ADDRESS,
        headers: { 'x-api-key': key },
      });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await audit(`wrong-key-${i}-0123456789abcdef`)).statusCode);
    assert.deepEqual(codes, [401, 401, 401, 429]);
    // One bucket for the admin, whichever of its keys it presents: holding both does not double the allowance.
    const admin: number[] = [];
    for (const key of [
      t.adminKey,
      'the-previous-admin-key-0123456789',
      t.adminKey,
      'the-previous-admin-key-0123456789',
    ]) {
      admin.push((await audit(key)).statusCode);
    }
    assert.deepEqual(admin, [200, 200, 200, 429]);
  } finally {
    await t.app.close();
  }
});

eachEngine('the admin’s bucket is shared by every process on one database', async ({ open, engine }) => {
  const { a, b } = await twoProcesses(open, {});
  try {
    for (let i = 0; i < 10; i++) assert.equal((await rotate(a, a.adminKey)).statusCode, 201, `rotation #${i + 1}`);
    assert.equal((await rotate(a, a.adminKey, OTHER_ADDRESS)).statusCode, 429);
    // SQLite runs one process per database (in-memory limits); PostgreSQL shares them.
    const eleventh = await rotate(b, b.adminKey, OTHER_ADDRESS);
    assert.equal(eleventh.statusCode, engine === 'postgres' ? 429 : 201, eleventh.body);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
