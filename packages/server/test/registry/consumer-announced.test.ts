// Two consumer processes on one PostgreSQL: a later document one of them accepts and stores is announced as it
// commits (LISTEN/NOTIFY), and the other serves it at once, without waiting for its own refresh (its TTL, an hour by
// default). Before, the other process served its earlier document until its next refresh; the clock is pinned here,
// so that never came. SQLite runs one process: nothing to announce.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { BOUND_MS, within } from '../helpers/within.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { admin, get, post, registrySource, twoVersions } from './fixtures.ts';

eachEngine('consumer: a document another process stored is served at once, announced', async ({ open, engine }) => {
  const root = await generateKeyPair('Ed25519');
  const { v1, v2 } = await twoVersions(root, 'charlie');

  const src = await registrySource(v1);
  const env = {
    VOUCH_TRUST_REGISTRY_URL: src.url,
    VOUCH_TRUST_REGISTRY_ROOT_KEY: root.publicKeyRegistry!,
    VOUCH_TRUST_REGISTRY_TTL: '3600',
  };
  const clock = new ManualClock(T0 + 5000);
  try {
    const a = await makeApp(await open(), { env, clock });
    const b = await makeApp(await open(), { env, clock });
    try {
      assert.equal((await get(a.app, '/v1/registry')).body.sequence, 1);
      src.set(v2);
      assert.equal((await post(b.app, '/v1/registry/refresh', {}, admin(b.adminKey))).body.outcome, 'updated');
      if (engine === 'sqlite') return;
      await within(BOUND_MS, 'A serves the stored later document', async () => {
        return (await get(a.app, '/v1/registry')).body.sequence === 2;
      });
    } finally {
      await a.app.close();
      await b.app.close();
    }
  } finally {
    src.server.close();
  }
});
