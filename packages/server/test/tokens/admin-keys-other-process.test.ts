// GET /api/v1/admin/keys on one process right after another process rotated the token key: the listing must show
// the keys as the database holds them. The process's cached token keys (up to 10 s old) still called the retired key
// active, so the listing said `retired` with `drops_at: null`, and, after a compromised rotation elsewhere, showed
// no drop time for a key that verifies nowhere any more.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import type { TestApp } from '../helpers/app.ts';
import { adminKeys } from '../helpers/admin-keys.ts';
import type { AdminListedKey } from '../helpers/admin-keys.ts';
import { ADMIN, tokenApp } from './helpers.ts';

async function tokenKeys(t: TestApp): Promise<AdminListedKey[]> {
  return (await adminKeys(t)).filter((k) => k.purpose === 'tokens');
}

eachEngine("the admin key listing shows another process's rotation at once", async ({ open }) => {
  const a = await tokenApp(await open());
  const b = await tokenApp(await open(), { clock: a.clock, kek: a.kek });
  try {
    const [first] = await tokenKeys(b); // b now holds the token keys in its cache
    assert.equal(first?.status, 'active');
    const rotated = await a.app.inject({
      method: 'POST',
      url: '/api/v1/admin/keys/rotate',
      headers: ADMIN,
      payload: {},
    });
    assert.equal(rotated.statusCode, 201, rotated.body);
    const { kid } = rotated.json() as { kid: string };

    const listed = await tokenKeys(b);
    assert.deepEqual(
      listed.map((k) => [k.kid, k.status]),
      [
        [kid, 'active'],
        [first!.kid, 'retired'],
      ],
    );
    const old = listed[1]!;
    // No token was signed with it: it stays published for the clock skew after its retirement.
    assert.equal(old.published, true);
    assert.equal(old.retired_at, new Date(a.clock.now()).toISOString());
    assert.equal(old.drops_at, new Date(a.clock.now() + a.ctx.config.clockSkewSeconds * 1000).toISOString());
    assert.deepEqual(await tokenKeys(b), await tokenKeys(a), 'both processes list the same');
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
