// Two consumer processes on one database, each reading the registry through its own source (a cache per region):
// when B accepts a later document and A's source still serves the earlier one, A refuses that as a rollback (the
// database holds the later one) and must serve what the database accepted, not keep its own earlier document.
import assert from 'node:assert/strict';
import { applyProposal, createGenesis, generateKeyPair, replayGovernance, signRegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { admin, get, makeIssuers, post, proposal, registrySource } from './fixtures.ts';

eachEngine(
  'consumer: a process whose source lags serves the later document another process stored',
  async ({ open }) => {
    const root = await generateKeyPair('Ed25519');
    const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    const v1 = await createGenesis({
      rootKey: root.privateKey,
      issuers: Object.values(is).map((i) => i.entry),
      threshold: 2,
      now: T0,
    });
    const rmCharlie = await proposal(
      { registry: v1.registry, baseSequence: 1, action: 'remove', subject: 'charlie', reason: 'left' },
      [is.alpha!, is.bravo!],
      T0 + 1000,
    );
    const s2 = applyProposal(replayGovernance(v1.governance).state!, rmCharlie, { appliedAt: T0 + 1000 }).state;
    const v2 = await signRegistryDocument(s2, { rootKey: root.privateKey, now: T0 + 1000 });
    const rmBravo = await proposal(
      { registry: v1.registry, baseSequence: 2, action: 'remove', subject: 'delta', reason: 'left' },
      [is.alpha!, is.bravo!],
      T0 + 2000,
    );
    const s3 = applyProposal(s2, rmBravo, { appliedAt: T0 + 2000 }).state;
    const v3 = await signRegistryDocument(s3, { rootKey: root.privateKey, now: T0 + 2000 });

    const srcA = await registrySource(v1);
    const srcB = await registrySource(v1);
    const env = (url: string) => ({
      VOUCH_TRUST_REGISTRY_URL: url,
      VOUCH_TRUST_REGISTRY_ROOT_KEY: root.publicKeyRegistry!,
      VOUCH_TRUST_REGISTRY_TTL: '60',
    });
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
