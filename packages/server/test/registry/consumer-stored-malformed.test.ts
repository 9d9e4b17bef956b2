// At start a consumer trusts its stored last good document only if it still verifies; one that does not is logged
// and set aside. A stored document the SDK's validator now refuses as malformed (stored by a version whose validator
// was laxer: later ones refuse small-order keys, impossible calendar days, ...) made verifyRegistry throw
// REGISTRY_INVALID out of the start, so the server did not start at all, even with its source serving a good one.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { consumerEnv, get, registrySource, signedGenesis } from './fixtures.ts';

eachEngine(
  'consumer: a stored document that is now malformed is set aside at start, not a failed start',
  async ({ open }) => {
    const root = await generateKeyPair('Ed25519');
    const { doc } = await signedGenesis(root, ['alpha', 'bravo', 'charlie']);
    const src = await registrySource(doc);
    const clock = new ManualClock(T0 + 5000);
    try {
      const storage = await open();
      const first = await makeApp(storage, { env: consumerEnv(src.url, root), clock });
      assert.equal((await get(first.app, '/v1/registry')).body.sequence, 1);
      // What an older version stored and the validator now refuses: a calendar day that does not exist.
      const stored = JSON.parse(JSON.stringify(doc)) as typeof doc;
      stored.updatedAt = '2025-02-30T00:00:00.000Z';
      await storage.db
        .updateTable('registry_documents')
        .set({ document: JSON.stringify(stored) })
        .where('name', '=', 'consumer')
        .execute();
      await first.app.close();

      // The source still serves the good document: the restarted consumer takes it.
      const again = await makeApp(await open(), { env: consumerEnv(src.url, root), clock });
      try {
        const r = await get(again.app, '/v1/registry');
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.sequence, 1);
        assert.match(again.logs.text(), /stored trust registry document no longer verifies/);
      } finally {
        await again.app.close();
      }
    } finally {
      src.server.close();
    }
  },
);
