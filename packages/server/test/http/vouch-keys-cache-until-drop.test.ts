// /.well-known/vouch-keys.json is served `public` for caches, and lists a retired capability key until `drops_at`,
// when no token it signed can be live and the gateway stops verifying with it. A cache must not go on serving that
// key past its drop time: max-age is capped at the seconds left until the earliest drop (300 at most, as before).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { listedKeys, rotateCapabilityKey, VOUCH_KEYS_URL as URL } from './vouch-keys-list.ts';

eachEngine('vouch-keys.json is never cached past a listed key’s drops_at', async ({ open }) => {
  const t = await makeApp(await open());
  try {
    const [retired] = await rotateCapabilityKey(t);
    const dropsAt = Date.parse((await listedKeys(t)).find((k) => k.kid === retired)!.drops_at!);

    t.clock.set(dropsAt - 10_500);
    const near = await t.app.inject({ method: 'GET', url: URL });
    assert.ok(near.body.includes(retired!), 'still listed');
    assert.equal(near.headers['cache-control'], 'public, max-age=10');

    t.clock.set(dropsAt - 200);
    assert.equal((await t.app.inject({ method: 'GET', url: URL })).headers['cache-control'], 'public, max-age=0');

    t.clock.set(dropsAt);
    const gone = await t.app.inject({ method: 'GET', url: URL });
    assert.ok(!gone.body.includes(retired!), 'no longer listed');
    assert.equal(gone.headers['cache-control'], 'public, max-age=300');
  } finally {
    await t.app.close();
  }
});
