// buildApp (app.ts) installs the admin authenticator (the admin key's digests), then each module's authenticators,
// refusing a kind that is already provided. Nothing checked the refusal: without it, a module (an extension passed in
// `modules`) that provided an `admin` authenticator silently replaced the admin key check, and every admin route
// took whatever that authenticator accepted; and of two modules providing one kind, the last one won.
import assert from 'node:assert/strict';
import type { VouchModule } from '../../src/module.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

/** A module whose `kind` authenticator takes any request as that caller. */
function anyoneAs(name: string, kind: 'admin' | 'owner'): VouchModule {
  return {
    name,
    authenticators: () => ({ [kind]: () => ({ caller: kind, id: 'anyone' }) }),
    routes: () => undefined,
  };
}

eachEngine('a module providing the admin authenticator, or a kind another provides, is refused', async ({ open }) => {
  const storage = await open();
  await assert.rejects(makeApp(storage, { modules: [anyoneAs('fake-admin', 'admin')] }), (err: unknown) => {
    assert.match(String((err as Error).message), /Module fake-admin provides a "admin" authenticator/);
    return true;
  });
  // The agents module provides `owner`.
  await assert.rejects(makeApp(storage, { modules: [anyoneAs('fake-owner', 'owner')] }), (err: unknown) => {
    assert.match(String((err as Error).message), /Module fake-owner provides a "owner" authenticator/);
    return true;
  });
  // The same app without the module builds, and its admin routes still want the admin key.
  const t = await makeApp(storage);
  try {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: { 'x-api-key': 'x' } });
    assert.equal(res.statusCode, 401, res.body);
  } finally {
    await t.app.close();
  }
});
