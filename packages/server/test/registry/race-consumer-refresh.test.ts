// Two consumer processes on one database refresh at the same time: a document one of them verified against the
// stored {sequence, chainHash} it read must not replace a document another process stored in between, unless it
// also verifies against that one (the rollback rule is "against the highest this database has accepted").
import assert from 'node:assert/strict';
import { generateKeyPair, signRegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { listenerHears } from '../helpers/listening.ts';
import { ManualClock } from '../../src/clock.ts';
import { readDocument } from '../../src/modules/registry/store.ts';
import { admin, consumerEnv, post, registrySource, removed, signedGenesis } from './fixtures.ts';

eachEngine(
  'consumer race: a refresh verified against a stale stored head does not overwrite a fork stored meanwhile',
  async ({ engine, open }) => {
    const root = await generateKeyPair('Ed25519');
    const { is, doc: v1, state: s1 } = await signedGenesis(root, ['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    const s2 = await removed(s1, is, 'delta', T0 + 1000);
    const s3 = await removed(s2, is, 'charlie', T0 + 2000);
    const v3 = await signRegistryDocument(s3, { rootKey: root.privateKey, now: T0 + 2000 });
    // Another history at step 2 (charlie removed instead of delta): a fork of v3's chain.
    const fork = await removed(s1, is, 'charlie', T0 + 1500, 'fork');
    const v2fork = await signRegistryDocument(fork, { rootKey: root.privateKey, now: T0 + 1500 });

    const src = await registrySource();
    const env = consumerEnv(src.url, root);
    const clock = new ManualClock(T0 + 5000);
    try {
      src.set(v1);
      const storageA = await open();
      const storageB = await open();
      const a = await makeApp(storageA, { env, clock });
      const b = await makeApp(storageB, { env, clock });
      // On PostgreSQL, A's reads of the stored document on what its listener hears (at connecting, and B's and its own
      // writes of sequence 1) must be behind it: one heard late would take the place of the refresh's read below.
      if (engine === 'postgres') await listenerHears(storageA);

      // A fetches v3 and reads the stored head (sequence 1); before it writes, B stores the fork at sequence 2.
      src.set(v3);
      let storedByB: unknown;
      afterNextPoolQuery(storageA.db, /from "registry_documents"/, async () => {
        src.set(v2fork);
        storedByB = (await post(b.app, '/v1/registry/refresh', {}, admin(b.adminKey))).body;
      });
      const refreshA = await post(a.app, '/v1/registry/refresh', {}, admin(a.adminKey));
      assert.equal((storedByB as { outcome?: string }).outcome, 'updated', JSON.stringify(storedByB));

      // Sequentially, v3 would be refused against the fork B stored (REGISTRY_ROLLBACK); it must be now too.
      const row = (await readDocument(storageB.db, 'consumer'))!;
      assert.equal(refreshA.body.accepted, false, JSON.stringify(refreshA.body));
      assert.equal(refreshA.body.outcome, 'REGISTRY_ROLLBACK');
      assert.equal(row.sequence, 2, 'the fork B accepted stays the stored document');
      assert.equal(row.updated_at, Date.parse(v2fork.updatedAt));
      await a.app.close();
      await b.app.close();
    } finally {
      src.server.close();
    }
  },
);
