// A key load under way while this process rotates the key: the rotation's invalidate() must not be undone by that
// load finishing afterwards with what it read before the rotation committed. Otherwise the rotating process keeps
// the old key set for a whole cache period (10 s): a key dropped as compromised still verifies its tokens there, and
// a just-retired key's forgeries skip the "recorded as issued" check. The interleaving is forced: the load is held
// just after it read the keys, and the rotation runs to its answer meanwhile. The app is deaf to announcements. On
// PostgreSQL its listener's "everything" (at connecting) heard late made the rotation's own key load the one held,
// and the test hung; and hearing its own rotation a moment later forgot the keys again, hiding a stale load cached
// after the rotation (the test passed there with the load's epoch check gone).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import { holdKeyListing } from '../helpers/hold-key-listing.ts';
import { NO_CHANGES } from '../../src/storage/index.ts';
import { ADMIN, issue, post, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

eachEngine(
  'a key load racing a compromised rotation in the same process: the dropped key stops verifying at once',
  async ({ open }) => {
    const storage = await open();
    const t = await tokenApp({ ...storage, changes: NO_CHANGES });
    const agent = await registerAgent(t);
    const old = await issue(t, agent);
    assert.equal((await verify(t, { token: old.token })).status, 200);

    let inFlight: ReturnType<typeof verify> | undefined;
    const hold = holdKeyListing(storage.db, 'tokens');
    // Just before the rotation's transaction: the key cache expires and a verification starts reloading the keys.
    beforeNextTransaction(storage.db, async () => {
      t.clock.advance(10_001);
      inFlight = verify(t, { token: old.token });
      await hold.reached;
    });
    const rotated = await post(t, '/api/v1/admin/keys/rotate', { compromised: true }, ADMIN);
    assert.equal(rotated.statusCode, 201, rotated.body);
    const { dropped } = rotated.json() as { dropped: string[] };
    assert.equal(dropped.length, 1);
    hold.release();
    // Started before the rotation committed: either answer is fine for it.
    await inFlight;

    // The rotation has answered: this process must refuse the dropped key's tokens now, not 10 s later.
    await rejected(t, { token: old.token }, 'JWT_KID_UNKNOWN');
    const fresh = await issue(t, agent);
    assert.equal((await verify(t, { token: fresh.token })).status, 200);
    await t.app.close();
  },
);
