// The capability key reloaded while this process rotates it: "the process that rotated signs with the new key at
// once" (docs/operations.md) must hold even when a load that read the keys before the rotation committed finishes
// after it. The interleaving is forced: the load is held just after it read the keys, the rotation answers meanwhile.
import assert from 'node:assert/strict';
import { decodeJwt } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, post } from '../registry/fixtures.ts';
import { holdKeyListing } from '../helpers/hold-key-listing.ts';
import { boundToken, genesis, intercept } from './helpers.ts';

const X = 'agent:my-assistant:v1';

eachEngine(
  'a capability key load racing a rotation in the same process: the next token carries the new kid',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const reg = await genesis(app);
      const before = await boundToken(app, reg.issuers.acme!, X);
      const oldKid = decodeJwt(before.token).header.kid!;

      let inFlight: Promise<unknown> | undefined;
      const hold = holdKeyListing(storage.db, 'capability');
      // Just before the rotation's transaction: the key cache expires and an issue starts reloading the keys.
      beforeNextTransaction(storage.db, async () => {
        app.clock.advance(60_001);
        inFlight = boundToken(app, reg.issuers.acme!, X);
        await hold.reached;
      });
      const rotated = await post(app.app, '/api/v1/admin/keys/rotate', { purpose: 'capability' }, admin(app.adminKey));
      assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
      assert.deepEqual(rotated.body.retired, [oldKid]);
      hold.release();
      await inFlight; // started before the rotation committed: either key is fine for it

      const after = await boundToken(app, reg.issuers.acme!, X);
      assert.equal(decodeJwt(after.token).header.kid, rotated.body.kid, 'the next token is signed by the new key');
      assert.deepEqual(await intercept(app.app, after.token, X), { decision: 'allow' });
    } finally {
      await app.app.close();
    }
  },
);
