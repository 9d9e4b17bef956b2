// Two consumer processes on one database follow an authority that re-signs the same sequence with a later expiry.
// When process A stores the re-signed copy first, process B's refresh finds it "unchanged" against the database;
// B must still switch to it, not keep its own older copy until that expires and then answer 503 for good.
import assert from 'node:assert/strict';
import { generateKeyPair, signRegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { admin, consumerEnv, get, post, registrySource, signedGenesis } from './fixtures.ts';

eachEngine(
  'consumer: a re-signed document stored by another process replaces this one’s older copy',
  async ({ open }) => {
    const root = await generateKeyPair('Ed25519');
    // v1 lives 300 s; v1b is the same state (same sequence and chain) re-signed at half-life, living an hour.
    const { doc: v1, state } = await signedGenesis(root, ['alpha', 'bravo', 'charlie'], { validitySeconds: 300 });
    const v1b = await signRegistryDocument(state, {
      rootKey: root.privateKey,
      now: T0 + 150_000,
      validitySeconds: 3600,
    });

    const src = await registrySource(v1);
    const env = consumerEnv(src.url, root);
    const clock = new ManualClock(T0 + 5000);
    try {
      const a = await makeApp(await open(), { env, clock });
      const b = await makeApp(await open(), { env, clock });
      assert.equal((await get(b.app, '/v1/registry')).body.expiresAt, v1.expiresAt);

      // The source re-signs; A refreshes first and stores the new copy, then B refreshes.
      src.set(v1b);
      clock.set(T0 + 160_000);
      assert.equal((await post(a.app, '/v1/registry/refresh', {}, admin(a.adminKey))).body.outcome, 'updated');
      const refreshB = await post(b.app, '/v1/registry/refresh', {}, admin(b.adminKey));
      assert.equal(refreshB.body.accepted, true, JSON.stringify(refreshB.body));
      assert.equal((await get(b.app, '/v1/registry')).body.expiresAt, v1b.expiresAt, 'B serves the re-signed copy');

      // Past v1's expiry (v1b still valid), B still holds a valid registry, through its periodic refreshes too.
      clock.set(T0 + 301_000);
      const after = await get(b.app, '/v1/registry');
      assert.equal(after.status, 200, `B answers ${after.status} ${JSON.stringify(after.body)} after v1 expired`);
      assert.equal(after.body.expiresAt, v1b.expiresAt);
      await a.app.close();
      await b.app.close();
    } finally {
      src.server.close();
    }
  },
);
