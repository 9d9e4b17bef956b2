// A rotation made by another process that this one has not heard of (SQLite's processes hear none; on PostgreSQL the
// listener may be reconnecting) shows up at the next reload of the keys (10 s), or at once for a token whose kid is
// unknown here (keyring.ts resolveKey): such a token reloads the keys, at most once a second, before it is refused.
import assert from 'node:assert/strict';
import { NO_CHANGES } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, issue, post, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

eachEngine("a token of another process's new key reloads the keys here, at most once a second", async ({ open }) => {
  const a = await tokenApp({ ...(await open()), changes: NO_CHANGES });
  const b = await tokenApp(await open(), { clock: a.clock, kek: a.kek });
  try {
    const agent = await registerAgent(a);
    const old = await issue(a, agent);
    assert.equal((await verify(a, { token: old.token })).status, 200, 'a has loaded the keys');
    const rotated = await post(b, '/api/v1/admin/keys/rotate', {}, ADMIN);
    assert.equal(rotated.statusCode, 201, rotated.body);
    const fresh = await issue(b, agent);
    // Within a second of a's last load, an unknown kid is refused without a reload (junk cannot hammer the database).
    await rejected(a, { token: fresh.token }, 'JWT_KID_UNKNOWN');
    // A second later, well within the 10 s a loaded key set is trusted, the unknown kid reloads it.
    a.clock.advance(1000);
    const later = await verify(a, { token: fresh.token });
    assert.equal(later.status, 200, JSON.stringify(later.body));
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
