// Gaps found by mutation testing in consumer mode (registry/consumer.ts start): the last good document kept in the
// database is used at start only if it still verifies against the root key pinned NOW. An operator who re-pins the
// root key (the old one leaked) must not get the old registry served while the new source is unreachable.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGenesis, generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { get, makeIssuers } from './fixtures.ts';

eachEngine(
  'a stored document signed by a root key no longer pinned is not used at start',
  async ({ open, dataDir }) => {
    const oldRoot = await generateKeyPair('Ed25519');
    const newRoot = await generateKeyPair('Ed25519');
    const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
    const doc = await createGenesis({
      rootKey: oldRoot.privateKey,
      issuers: Object.values(is).map((i) => i.entry),
      threshold: 2,
      now: T0,
    });
    const file = join(dataDir, 'agent-trust.json');
    await writeFile(file, JSON.stringify(doc));
    const clock = new ManualClock(T0 + 5000);
    const env = (root: string) => ({
      VOUCH_TRUST_REGISTRY_URL: file,
      VOUCH_TRUST_REGISTRY_ROOT_KEY: root,
      VOUCH_TRUST_REGISTRY_TTL: '60',
    });

    const first = await makeApp(await open(), { env: env(oldRoot.publicKeyRegistry!), clock });
    assert.equal((await get(first.app, '/v1/registry')).body.sequence, 1);
    await first.app.close();

    // Re-pinned to a new root while the source is unreachable: the stored document no longer verifies.
    await rm(file);
    const repinned = await makeApp(await open(), { env: env(newRoot.publicKeyRegistry!), clock });
    const summary = await get(repinned.app, '/v1/registry');
    assert.equal(summary.status, 503, JSON.stringify(summary.body));
    assert.equal(summary.body.code, 'REGISTRY_UNAVAILABLE');
    assert.match(repinned.logs.text(), /stored trust registry document no longer verifies/);
    await repinned.app.close();
  },
);
