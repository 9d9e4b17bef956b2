// A capability key load under way while this process rotates the key: the rotation's invalidate() must not be undone
// by that load finishing afterwards with what it read before the rotation committed. Otherwise the rotating process
// holds the old key set for a whole cache period (60 s): a key dropped as compromised still verifies its tokens at
// this gateway. The interleaving is forced: the load is held just after it read the keys, the rotation answers
// meanwhile. The load held is an intercept's, not an issue's: issuing re-checks its signing key in the record's
// transaction (recordSigned) and reloads the keys when it was rotated, which forgot a stale set by itself, and the
// next token carried the new kid either way (the test passed with the load's epoch check gone). The app is deaf to
// announcements: on PostgreSQL hearing its own rotation forgot the keys again, hiding a stale load (as in
// tokens/race-key-reload).
import assert from 'node:assert/strict';
import { decodeJwt } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, post } from '../registry/fixtures.ts';
import { holdKeyListing } from '../helpers/hold-key-listing.ts';
import { NO_CHANGES } from '../../src/storage/index.ts';
import { boundToken, genesis, intercept } from './helpers.ts';

const X = 'agent:my-assistant:v1';

eachEngine(
  'a capability key load racing a compromised rotation in the same process: the dropped key stops verifying at once',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp({ ...storage, changes: NO_CHANGES });
    try {
      const reg = await genesis(app);
      const leaked = await boundToken(app, reg.issuers.acme!, X);
      const oldKid = decodeJwt(leaked.token).header.kid!;
      assert.deepEqual(await intercept(app.app, leaked.token, X), { decision: 'allow' });

      let inFlight: ReturnType<typeof intercept> | undefined;
      const hold = holdKeyListing(storage.db, 'capability');
      // Just before the rotation's transaction: the key cache expires and an intercept starts reloading the keys.
      beforeNextTransaction(storage.db, async () => {
        app.clock.advance(60_001);
        inFlight = intercept(app.app, leaked.token, X);
        await hold.reached;
      });
      const rotated = await post(
        app.app,
        '/api/v1/admin/keys/rotate',
        { purpose: 'capability', compromised: true },
        admin(app.adminKey),
      );
      assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
      assert.deepEqual(rotated.body.dropped, [oldKid]);
      hold.release();
      await inFlight; // started before the rotation committed: either answer is fine for it

      // The rotation has answered: this process refuses the dropped key's tokens now, not a cache period later.
      const d = await intercept(app.app, leaked.token, X);
      assert.deepEqual([d.decision, d.code], ['deny', 'INVALID_SIGNATURE']);
      const after = await boundToken(app, reg.issuers.acme!, X);
      assert.equal(decodeJwt(after.token).header.kid, rotated.body.kid, 'the next token is signed by the new key');
      assert.deepEqual(await intercept(app.app, after.token, X), { decision: 'allow' });
    } finally {
      await app.app.close();
    }
  },
);
