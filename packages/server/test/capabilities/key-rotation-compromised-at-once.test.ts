// A compromised capability-key rotation stops the dropped key verifying in the rotating process at once, without
// waiting for the gateway's 60 s key cache: POST /api/v1/admin/keys/rotate forgets this process's gateway keys
// (capabilityKeyRotated). SQLite announces nothing, so nothing else does. No test held that call: the compromised
// rotation test advances the clock by the cache's lifetime before it rotates, so the keys were reloaded anyway.
import assert from 'node:assert/strict';
import { decodeJwt } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, post } from '../registry/fixtures.ts';
import { boundToken, genesis, intercept } from './helpers.ts';

const X = 'agent:my-assistant:v1';

eachEngine(
  'a compromised capability rotation refuses the dropped key’s tokens at once, cache or not',
  async ({ open }) => {
    const app = await makeApp(await open());
    try {
      const reg = await genesis(app);
      const leaked = await boundToken(app, reg.issuers.acme!, X);
      // Verified once: the gateway holds the keys, fresh for another minute.
      assert.deepEqual(await intercept(app.app, leaked.token, X), { decision: 'allow' });
      const rotated = await post(
        app.app,
        '/api/v1/admin/keys/rotate',
        { purpose: 'capability', compromised: true },
        admin(app.adminKey),
      );
      assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
      assert.deepEqual(rotated.body.dropped, [decodeJwt(leaked.token).header.kid]);
      // Same clock: the cache's minute has not passed.
      const d = await intercept(app.app, leaked.token, X);
      assert.deepEqual([d.decision, d.code], ['deny', 'INVALID_SIGNATURE']);
      const delegated = await post(app.app, '/v1/tokens/delegate', { token: leaked.token });
      assert.deepEqual([delegated.status, delegated.body.code], [401, 'INVALID_SIGNATURE']);
    } finally {
      await app.app.close();
    }
  },
);
