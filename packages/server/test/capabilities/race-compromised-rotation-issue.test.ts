// A capability token being issued at one process while another drops its signing key (`compromised` rotation): the
// issuing process signed with the key it had loaded, then the rotation committed, then the token was recorded. The
// answer must be a token that verifies, not a 201 carrying a token signed by a key no verifier knows any more.
import assert from 'node:assert/strict';
import { decodeJwt } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import { admin, post } from '../registry/fixtures.ts';
import { boundToken, genesis, intercept } from './helpers.ts';

const X = 'agent:my-assistant:v1';

eachEngine(
  'a capability token issued while another process drops its key (compromised rotation) is signed by a live key',
  async ({ open }) => {
    const a = await makeApp(await open());
    const b = await makeApp(await open(), { clock: a.clock, kek: a.kek });
    try {
      const reg = await genesis(a);
      const before = await boundToken(a, reg.issuers.acme!, X); // a's capability keys are loaded from here on
      const oldKid = decodeJwt(before.token).header.kid!;

      // a has signed the next token with the key it holds; its record's transaction is next. b drops that key first.
      let rotated: Awaited<ReturnType<typeof post>> | undefined;
      beforeNextTransaction(a.ctx.storage.db, async () => {
        rotated = await post(
          b.app,
          '/api/v1/admin/keys/rotate',
          { purpose: 'capability', compromised: true },
          {
            ...admin(b.adminKey),
          },
        );
      });
      const issued = await boundToken(a, reg.issuers.acme!, X);
      assert.equal(rotated?.status, 201, JSON.stringify(rotated?.body));
      assert.deepEqual(rotated.body.dropped, [oldKid]);

      for (const app of [a, b]) {
        assert.deepEqual(await intercept(app.app, issued.token, X), { decision: 'allow' }, 'the answered token works');
      }
      assert.equal(decodeJwt(issued.token).header.kid, rotated.body.kid, 'signed by the key that is active now');
    } finally {
      await Promise.all([a.app.close(), b.app.close()]);
    }
  },
);
