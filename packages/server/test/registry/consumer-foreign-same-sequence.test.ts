// A stored document of another registry is replaced by the first valid document of the pinned one (docs/PROTOCOL.md,
// consumer mode), audited as registry.adopt with `replacedRegistry`. Every test replaced a foreign document of another
// sequence, so the foreign checks were not needed to store or audit it, and no test read `replacedRegistry`: without
// them, a document at the same sequence, signed no later than the stored one, would be `unchanged` and never stored.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { listAudit } from '../../src/storage/audit.ts';
import { readDocument } from '../../src/modules/registry/store.ts';
import { consumerEnv, get, registrySource, twoVersions } from './fixtures.ts';

eachEngine(
  "consumer: another registry's stored document at the same sequence is replaced, stored and audited",
  async ({ open }) => {
    const oldRoot = await generateKeyPair('Ed25519');
    const newRoot = await generateKeyPair('Ed25519');
    const old = await twoVersions(oldRoot, 'delta');
    const next = await twoVersions(newRoot, 'delta');
    // Both sequence 1, both signed at T0: neither is later than the other by {sequence, updatedAt}.
    assert.equal(old.v1.sequence, next.v1.sequence);
    assert.equal(old.v1.updatedAt, next.v1.updatedAt);
    const src = await registrySource(old.v1);
    const storage = await open();
    const clock = new ManualClock(T0 + 5000);
    try {
      const first = await makeApp(storage, { env: consumerEnv(src.url, oldRoot), clock });
      await first.app.close();

      src.set(next.v1);
      const moved = await makeApp(await open(), { env: consumerEnv(src.url, newRoot), clock });
      try {
        assert.equal((await get(moved.app, '/v1/registry')).body.registry, next.v1.registry);
        const row = (await readDocument(storage.db, 'consumer'))!;
        assert.equal(JSON.parse(row.document).registry, next.v1.registry, 'the pinned registry is stored');
        const adopts = (await listAudit(storage.db, { limit: 100 })).filter((e) => e.action === 'registry.adopt');
        assert.deepEqual(
          adopts.map((e) => e.details),
          [
            {
              registry: next.v1.registry,
              oldSequence: 1,
              newSequence: 1,
              source: src.url,
              replacedRegistry: old.v1.registry,
            },
            { registry: old.v1.registry, oldSequence: null, newSequence: 1, source: src.url },
          ],
        );
        assert.match(moved.logs.text(), /replaced another registry's stored document/);
      } finally {
        await moved.app.close();
      }
    } finally {
      src.server.close();
    }
  },
);
