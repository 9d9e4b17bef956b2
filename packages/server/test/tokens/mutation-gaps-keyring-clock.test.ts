// Gaps found by mutation testing in the token keyring (keyring.ts): loaded keys are trusted for 10 s of app clock, and
// a clock that stepped back must not stretch that: a compromised rotation by another process still reaches this one
// within the bound, and the dropped key's tokens are refused.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, issue, post, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

/** keyring.ts CACHE_MS: how long a loaded key set is trusted. */
const KEY_CACHE_MS = 10_000;

eachEngine(
  'after the app clock stepped back, another process’s compromised rotation is seen within the cache bound',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const other = await tokenApp(await open(), { clock: t.clock, kek: t.kek });
    try {
      const agent = await registerAgent(t);
      const { token } = await issue(t, agent);
      t.clock.advance(KEY_CACHE_MS / 2);
      assert.equal((await verify(t, { token })).body.valid, true); // keys loaded now
      t.clock.set(t.clock.now() - 8_000); // e.g. an NTP correction, to before the keys were loaded
      assert.equal((await verify(t, { token })).body.valid, true);
      const res = await post(other, '/api/v1/admin/keys/rotate', { compromised: true }, ADMIN);
      assert.equal(res.statusCode, 201, res.body);
      t.clock.advance(KEY_CACHE_MS);
      await rejected(t, { token }, 'JWT_KID_UNKNOWN');
    } finally {
      await other.app.close();
      await t.app.close();
    }
  },
);
