// `Authorization: Bearer <secret>` (http/secrets.ts bearerSecret): the scheme name is case-insensitive (RFC 9110
// §11.1, RFC 6750), so `bearer` and `BEARER` carry an owner's key as `Bearer` does. No test sent another case:
// matching the scheme case-sensitively passed every test, and refused clients that write it in lower case.
// What follows the scheme is still exact: one space, then the secret alone.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { createOwner } from '../agents/helpers.ts';

eachEngine('the Bearer scheme is matched in any case; the secret after it exactly', async ({ open }) => {
  const t = await makeApp(await open());
  try {
    const { ownerId, apiKey } = await createOwner(t.app, 'acme');
    const me = (authorization: string) =>
      t.app.inject({ method: 'GET', url: '/api/v1/owners/me', headers: { authorization } });
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const res = await me(`${scheme} ${apiKey}`);
      assert.equal(res.statusCode, 200, `${scheme}: ${res.body}`);
      assert.ok(res.body.includes(ownerId), res.body);
    }
    for (const authorization of [`Bearer  ${apiKey}`, `Bearer ${apiKey} x`, `Bearer ${apiKey.toUpperCase()}`]) {
      assert.equal((await me(authorization)).statusCode, 401, authorization.replace(apiKey, '<key>'));
    }
  } finally {
    await t.app.close();
  }
});
