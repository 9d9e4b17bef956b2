// A consumer never goes back from the document it holds. The rollback rule is checked against the stored document, and
// a stored document of another registry (a process still pinned to the old root key, during a rolling change of
// VOUCH_TRUST_REGISTRY_ROOT_KEY and its source) is no history of this one, so it was set aside and the fetched document
// verified with no history at all: a process holding sequence 2 of its registry took sequence 1 of that same registry
// from a lagging source once the other process had stored its old registry. Its own held document still guards it.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { admin, consumerEnv, get, post, registrySource, twoVersions } from './fixtures.ts';

eachEngine(
  'consumer: a stored document of another registry does not let a process go back from the one it holds',
  async ({ open }) => {
    const oldRoot = await generateKeyPair('Ed25519');
    const newRoot = await generateKeyPair('Ed25519');
    const old = await twoVersions(oldRoot, 'delta');
    const next = await twoVersions(newRoot, 'delta');
    const srcNew = await registrySource(next.v2);
    const srcOld = await registrySource(old.v1);
    const clock = new ManualClock(T0 + 5000);
    try {
      // A is pinned to the new registry and holds its sequence 2.
      const a = await makeApp(await open(), { env: consumerEnv(srcNew.url, newRoot), clock });
      assert.equal((await get(a.app, '/v1/registry')).body.sequence, 2);
      // B, not yet restarted with the new pin, stores its old registry over it.
      const b = await makeApp(await open(), { env: consumerEnv(srcOld.url, oldRoot), clock });
      assert.equal((await get(b.app, '/v1/registry')).body.registry, old.v1.registry);

      // A's source lags behind, at sequence 1 of the new registry: a rollback from what A holds.
      srcNew.set(next.v1);
      const back = await post(a.app, '/v1/registry/refresh', {}, admin(a.adminKey));
      assert.equal(back.body.accepted, false, JSON.stringify(back.body));
      assert.equal(back.body.outcome, 'REGISTRY_ROLLBACK');
      const served = await get(a.app, '/v1/registry');
      assert.equal(served.body.registry, next.v2.registry);
      assert.equal(served.body.sequence, 2, 'A still serves sequence 2');

      // Its source caught up: the document A holds is written back over the other registry's.
      srcNew.set(next.v2);
      const caught = await post(a.app, '/v1/registry/refresh', {}, admin(a.adminKey));
      assert.equal(caught.body.accepted, true, JSON.stringify(caught.body));
      assert.equal(caught.body.sequence, 2);
      await a.app.close();
      await b.app.close();
    } finally {
      srcNew.server.close();
      srcOld.server.close();
    }
  },
);
