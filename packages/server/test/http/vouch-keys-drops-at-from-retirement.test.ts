// A retired capability key stays in /.well-known/vouch-keys.json until no token it signed can be live: its
// retirement + 60 s + the longest tier (86400 s) + twice VOUCH_CLOCK_SKEW (docs/PROTOCOL.md, "The token"). Every test
// rotated the key at the instant it was made, so nothing told its retirement from its creation: counting from
// `createdAt` (modules/keys/published.ts) passed them all, and took a key that had served more than a day off the
// list the moment it was retired, while the gateway still verified its tokens. Each key's `created_at` is when it
// was made, retired or not (a listing that showed its retirement there passed too).
import assert from 'node:assert/strict';
import { ensureServerKey } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { listedKeys, rotateCapabilityKey } from './vouch-keys-list.ts';

const DAY_MS = 86_400_000;

eachEngine(
  'a capability key retired days after its creation is listed until retirement + its grace',
  async ({ open }) => {
    const storage = await open();
    const t = await makeApp(storage);
    try {
      const listed = () => listedKeys(t);
      const made = t.clock.now();
      // As every start makes it.
      await ensureServerKey(storage, t.kek, 'capability', 'EdDSA', made);
      const active = (await listed()).find((k) => k.purpose === 'capability')!;
      assert.equal(active.created_at, new Date(made).toISOString());

      t.clock.advance(3 * DAY_MS);
      const retiredAt = t.clock.now();
      assert.deepEqual(await rotateCapabilityKey(t), [active.kid]);

      const skewMs = t.ctx.config.clockSkewSeconds * 1000;
      assert.ok(skewMs > 0, 'the default skew counts');
      const dropsAt = retiredAt + 60_000 + skewMs + DAY_MS + skewMs;
      const after = await listed();
      const retired = after.find((k) => k.kid === active.kid);
      assert.ok(retired !== undefined, 'listed once retired');
      assert.deepEqual(
        [retired.status, retired.created_at, retired.drops_at],
        ['retired', new Date(made).toISOString(), new Date(dropsAt).toISOString()],
      );
      const fresh = after.find((k) => k.purpose === 'capability' && k.status === 'active')!;
      assert.equal(fresh.created_at, new Date(retiredAt).toISOString());

      t.clock.set(dropsAt - 1);
      assert.ok(
        (await listed()).some((k) => k.kid === active.kid),
        'listed until its drop time',
      );
      t.clock.set(dropsAt);
      assert.ok(!(await listed()).some((k) => k.kid === active.kid), 'gone at its drop time');
    } finally {
      await t.app.close();
    }
  },
);
