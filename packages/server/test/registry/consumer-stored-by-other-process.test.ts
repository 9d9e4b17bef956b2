// Two consumer processes on one database, each reading the registry through its own source (a cache per region):
// when B accepts a later document and A's source still serves the earlier one, A refuses that as a rollback (the
// database holds the later one) and must serve what the database accepted, not keep its own earlier document.
import assert from 'node:assert/strict';
import { generateKeyPair, signRegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { admin, consumerEnv, get, post, registrySource, removed, signedGenesis } from './fixtures.ts';

eachEngine(
  'consumer: a process whose source lags serves the later document another process stored',
  async ({ open }) => {
    const root = await generateKeyPair('Ed25519');
    const { is, doc: v1, state: s1 } = await signedGenesis(root, ['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    const s2 = await removed(s1, is, 'charlie', T0 + 1000);
    const v2 = await signRegistryDocument(s2, { rootKey: root.privateKey, now: T0 + 1000 });
    const s3 = await removed(s2, is, 'delta', T0 + 2000);
    const v3 = await signRegistryDocument(s3, { rootKey: root.privateKey, now: T0 + 2000 });

    const srcA = await registrySource(v1);
    const srcB = await registrySource(v1);
    const env = (url: string) => consumerEnv(url, root);
    const clock = new ManualClock(T0 + 5000);
    try {
      const a = await makeApp(await open(), { env: env(srcA.url), clock });
      const b = await makeApp(await open(), { env: env(srcB.url), clock });
      assert.equal((await get(a.app, '/v1/registry')).body.sequence, 1);

      // B's source moves on; A's still serves v1.
      srcB.set(v2);
      assert.equal((await post(b.app, '/v1/registry/refresh', {}, admin(b.adminKey))).body.outcome, 'updated');
      const refreshA = await post(a.app, '/v1/registry/refresh', {}, admin(a.adminKey));
      assert.equal(refreshA.body.accepted, false, JSON.stringify(refreshA.body));
      assert.equal(refreshA.body.outcome, 'REGISTRY_ROLLBACK', 'v1 is a rollback against the stored v2');
      const servedA = await get(a.app, '/v1/registry');
      assert.equal(servedA.body.sequence, 2, 'A serves the document the database accepted');

      // The periodic refresh (TTL passed) adopts too, and so does one whose source is down.
      srcB.set(v3);
      assert.equal((await post(b.app, '/v1/registry/refresh', {}, admin(b.adminKey))).body.outcome, 'updated');
      srcA.set(null);
      clock.advance(61_000);
      assert.equal((await get(a.app, '/v1/registry')).body.sequence, 3, 'adopted on the TTL refresh, source down');
      await a.app.close();
      await b.app.close();
    } finally {
      srcA.server.close();
      srcB.server.close();
    }
  },
);
