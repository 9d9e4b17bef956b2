// GET /api/v1/admin/keys says of a retired token key whether the JWKS still publishes it: until drops_at (its last
// token's expiry plus the skew), and not from that millisecond on, when the keyring stops verifying with it. No
// test held the listing's `published` for a token key: answering true for every stored token key passed every test.
import assert from 'node:assert/strict';
import { ADMIN, issue, post, registerAgent, tokenApp } from './helpers.ts';
import { eachEngine } from '../helpers/storage.ts';
import type { TestApp } from '../helpers/app.ts';
import { adminKeys } from '../helpers/admin-keys.ts';
import type { AdminListedKey } from '../helpers/admin-keys.ts';

async function tokenKey(t: TestApp, kid: string): Promise<AdminListedKey> {
  const key = (await adminKeys(t)).find((k) => k.kid === kid);
  assert.ok(key !== undefined, `${kid} is listed`);
  return key;
}

async function inJwks(t: TestApp, kid: string): Promise<boolean> {
  const res = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  return (res.json() as { keys: Array<{ kid: string }> }).keys.some((k) => k.kid === kid);
}

eachEngine('the admin key listing says a retired token key is published until drops_at, then not', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const token = await issue(t, agent, { expires_in: '1h' });
  const res = await post(t, '/api/v1/admin/keys/rotate', {}, ADMIN);
  assert.equal(res.statusCode, 201, res.body);
  const [old] = (res.json() as { retired: string[] }).retired;
  assert.ok(old !== undefined);

  const retired = await tokenKey(t, old);
  assert.equal(retired.status, 'retired');
  assert.equal(retired.drops_at, new Date(token.exp * 1000 + t.ctx.config.clockSkewSeconds * 1000).toISOString());
  const dropsAt = Date.parse(retired.drops_at);
  assert.deepEqual([retired.published, await inJwks(t, old)], [true, true]);

  t.clock.set(dropsAt - 1);
  assert.deepEqual([(await tokenKey(t, old)).published, await inJwks(t, old)], [true, true], 'one ms before');
  t.clock.set(dropsAt);
  assert.deepEqual([(await tokenKey(t, old)).published, await inJwks(t, old)], [false, false], 'at drops_at');
  await t.app.close();
});
