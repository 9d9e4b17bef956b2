// Gaps found by mutation testing in consumer mode (registry/consumer.ts start): the last good document kept in the
// database is used at start only if it still verifies against the root key pinned NOW. An operator who re-pins the
// root key (the old one leaked) must not get the old registry served while the new source is unreachable.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { consumerEnv, get, signedGenesis } from './fixtures.ts';

eachEngine(
  'a stored document signed by a root key no longer pinned is not used at start',
  async ({ open, dataDir }) => {
    const oldRoot = await generateKeyPair('Ed25519');
    const newRoot = await generateKeyPair('Ed25519');
    const { doc } = await signedGenesis(oldRoot, ['alpha', 'bravo', 'charlie']);
    const file = join(dataDir, 'agent-trust.json');
    await writeFile(file, JSON.stringify(doc));
    const clock = new ManualClock(T0 + 5000);

    const first = await makeApp(await open(), { env: consumerEnv(file, oldRoot), clock });
    assert.equal((await get(first.app, '/v1/registry')).body.sequence, 1);
    await first.app.close();

    // Re-pinned to a new root while the source is unreachable: the stored document no longer verifies.
    await rm(file);
    const repinned = await makeApp(await open(), { env: consumerEnv(file, newRoot), clock });
    const summary = await get(repinned.app, '/v1/registry');
    assert.equal(summary.status, 503, JSON.stringify(summary.body));
    assert.equal(summary.body.code, 'REGISTRY_UNAVAILABLE');
    assert.match(repinned.logs.text(), /stored trust registry document no longer verifies/);
    await repinned.app.close();
  },
);
