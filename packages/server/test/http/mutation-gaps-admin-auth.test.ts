// Gaps found by mutation testing in the admin authenticator (http/admin-auth.ts, http/secrets.ts): only the exact
// admin key is the admin. Near misses (a prefix, the key with more after it, another letter case, one character
// changed at the same length) are no credential at all: 401, never the admin.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, TEST_ADMIN_KEY } from '../helpers/app.ts';

eachEngine('only the exact admin key authenticates the admin', async ({ open }) => {
  const t = await makeApp(await open());
  const call = async (key: string) => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: { 'x-api-key': key } });
    return { status: res.statusCode, code: res.statusCode === 200 ? undefined : (res.json() as { code: string }).code };
  };
  assert.equal((await call(TEST_ADMIN_KEY)).status, 200);
  const last = TEST_ADMIN_KEY.at(-1)!;
  const nearMisses: Array<[string, string]> = [
    ['a prefix', TEST_ADMIN_KEY.slice(0, -1)],
    ['a short prefix', TEST_ADMIN_KEY.slice(0, 4)],
    ['the key and more', `${TEST_ADMIN_KEY}0`],
    ['upper case', TEST_ADMIN_KEY.toUpperCase()],
    ['one character changed', `${TEST_ADMIN_KEY.slice(0, -1)}${last === 'f' ? 'e' : 'f'}`],
    ['a suffix', TEST_ADMIN_KEY.slice(1)],
    ['oversize, starting with the key', TEST_ADMIN_KEY + 'x'.repeat(1100)],
  ];
  for (const [what, key] of nearMisses) {
    assert.notEqual(key, TEST_ADMIN_KEY);
    assert.deepEqual(await call(key), { status: 401, code: 'UNAUTHORIZED' }, what);
  }
  // The admin key sent as an owner's bearer secret is not the admin either.
  const bearer = await t.app.inject({
    method: 'GET',
    url: '/api/v1/admin/audit',
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
  });
  assert.equal(bearer.statusCode, 401, bearer.body);
  await t.app.close();
});
