// A consumer whose own source is down takes the later signing of the same sequence another process stored (the
// authority re-signs at half-life): #adoptStored compares the stored row's updated_at with the copy held, not only
// the sequence. Else it kept its own older copy while the database held a valid later one, and answered 503 once that
// copy expired, for as long as its source stayed down.
import assert from 'node:assert/strict';
import { generateKeyPair, signRegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { admin, consumerEnv, get, post, registrySource, signedGenesis } from './fixtures.ts';

eachEngine(
  'consumer: with its source down, a process takes the re-signed copy another process stored',
  async ({ open }) => {
    const root = await generateKeyPair('Ed25519');
    // v1 lives 300 s; v1b is the same state re-signed at half-life, living an hour.
    const { doc: v1, state } = await signedGenesis(root, ['alpha', 'bravo', 'charlie'], { validitySeconds: 300 });
    const v1b = await signRegistryDocument(state, {
      rootKey: root.privateKey,
      now: T0 + 150_000,
      validitySeconds: 3600,
    });
    const srcA = await registrySource(v1);
    const srcB = await registrySource(v1);
    const clock = new ManualClock(T0 + 5000);
    try {
      const a = await makeApp(await open(), { env: consumerEnv(srcA.url, root), clock });
      const b = await makeApp(await open(), { env: consumerEnv(srcB.url, root), clock });
      assert.equal((await get(a.app, '/v1/registry')).body.expiresAt, v1.expiresAt);

      // B's source has the re-signed copy and B stores it; A's source is down.
      srcA.set(null);
      srcB.set(v1b);
      clock.set(T0 + 160_000);
      assert.equal((await post(b.app, '/v1/registry/refresh', {}, admin(b.adminKey))).body.outcome, 'updated');
      const refreshA = await post(a.app, '/v1/registry/refresh', {}, admin(a.adminKey));
      assert.equal(refreshA.body.outcome, 'UNREACHABLE', JSON.stringify(refreshA.body));
      assert.equal((await get(a.app, '/v1/registry')).body.expiresAt, v1b.expiresAt, 'A serves the stored copy');

      // Past v1's expiry, A still serves a valid registry.
      clock.set(T0 + 301_000);
      const after = await get(a.app, '/v1/registry');
      assert.equal(after.status, 200, `A answers ${after.status} ${JSON.stringify(after.body)} after v1 expired`);
      assert.equal(after.body.expiresAt, v1b.expiresAt);
      await a.app.close();
      await b.app.close();
    } finally {
      srcA.server.close();
      srcB.server.close();
    }
  },
);
