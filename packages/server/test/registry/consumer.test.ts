import assert from 'node:assert/strict';
import { generateKeyPair, signRegistryDocument, type GeneratedKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { checkRegistryIssuer } from '../../src/modules/registry/service.ts';
import { admin, consumerEnv, get, post, registrySource, removed, signedGenesis } from './fixtures.ts';

/** Three successive versions of one registry, signed by `root`: genesis, then a removal. */
async function versions(root: GeneratedKeyPair) {
  const { is, doc: v1, state: s1 } = await signedGenesis(root, ['alpha', 'bravo', 'charlie', 'delta']);
  const s2 = await removed(s1, is, 'delta', T0 + 1000);
  const v2 = await signRegistryDocument(s2, { rootKey: root.privateKey, now: T0 + 1000 });
  // The same state, signed to expire after two minutes.
  const v2short = await signRegistryDocument(s2, { rootKey: root.privateKey, now: T0 + 2000, validitySeconds: 120 });
  return { v1, v2, v2short };
}

eachEngine(
  'consumer: successive versions, outage, rollback, expired document, restart with the URL down',
  async ({ open }) => {
    const root = await generateKeyPair('Ed25519');
    const { v1, v2, v2short } = await versions(root);
    const src = await registrySource();
    try {
      src.set(v1);
      const storage = await open();
      const clock = new ManualClock(T0 + 5000);
      const app = await makeApp(storage, { env: consumerEnv(src.url, root), clock });
      const summary = await get(app.app, '/v1/registry');
      assert.equal(summary.status, 200, JSON.stringify(summary.body));
      assert.equal(summary.body.mode, 'consumer');
      assert.equal(summary.body.sequence, 1);
      assert.equal((await checkRegistryIssuer(app.ctx, 'delta')).status, 'active');

      // The next version is picked up once the TTL has passed.
      src.set(v2);
      clock.advance(30_000);
      assert.equal((await get(app.app, '/v1/registry')).body.sequence, 1);
      clock.advance(31_000);
      assert.equal((await get(app.app, '/v1/registry')).body.sequence, 2);
      assert.equal((await checkRegistryIssuer(app.ctx, 'delta')).status, 'revoked');
      assert.deepEqual(
        (await get(app.app, '/.well-known/agent-trust.json')).body,
        JSON.parse(JSON.stringify(v2)) as Record<string, unknown>,
      );

      // Outage: the last good document stays.
      src.set(null);
      const down = await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey));
      assert.equal(down.body.accepted, false);
      assert.equal(down.body.outcome, 'UNREACHABLE');
      assert.equal((await get(app.app, '/v1/registry')).body.sequence, 2);

      // Rollback to version 1: refused, logged.
      src.set(v1);
      const back = await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey));
      assert.equal(back.body.accepted, false);
      assert.equal(back.body.outcome, 'REGISTRY_ROLLBACK');
      assert.equal((await get(app.app, '/v1/registry')).body.sequence, 2);
      assert.match(app.logs.text(), /refused; keeping the last good document/);

      // An expired document: refused.
      clock.set(T0 + 200_000);
      src.set(v2short);
      const expired = await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey));
      assert.equal(expired.body.accepted, false);
      assert.equal(expired.body.outcome, 'REGISTRY_EXPIRED');
      assert.equal((await get(app.app, '/.well-known/agent-trust.json')).body.updatedAt, v2.updatedAt);

      // Read-only: governance routes answer 409 REGISTRY_READ_ONLY; the refresh route needs the admin.
      assert.equal((await post(app.app, '/v1/registry/proposals', {})).body.code, 'REGISTRY_READ_ONLY');
      assert.equal((await get(app.app, '/v1/registry/proposals')).body.code, 'REGISTRY_READ_ONLY');
      const g = await post(app.app, '/v1/registry/genesis', { document: v1 }, admin(app.adminKey));
      assert.equal(g.status, 409);
      assert.equal(g.body.code, 'REGISTRY_READ_ONLY');
      assert.equal((await post(app.app, '/v1/registry/refresh', {})).status, 401);
      await app.app.close();

      // Restart with the URL down: the database copy is used.
      src.set(null);
      const again = await makeApp(await open(), { env: consumerEnv(src.url, root), clock });
      const restarted = await get(again.app, '/v1/registry');
      assert.equal(restarted.status, 200);
      assert.equal(restarted.body.sequence, 2);
      // ...and the rollback guard survives the restart.
      src.set(v1);
      const back2 = await post(again.app, '/v1/registry/refresh', {}, admin(again.adminKey));
      assert.equal(back2.body.outcome, 'REGISTRY_ROLLBACK');

      // Once the last good document expires, the registry is unavailable.
      src.set(null);
      clock.set(Date.parse(v2.expiresAt));
      const gone = await get(again.app, '/v1/registry');
      assert.equal(gone.status, 503);
      assert.equal(gone.body.code, 'REGISTRY_UNAVAILABLE');
      await again.app.close();
    } finally {
      src.server.close();
    }
  },
);

eachEngine(
  'consumer: no valid document at all → 503 REGISTRY_UNAVAILABLE; a wrong root key is refused',
  async ({ open }) => {
    const root = await generateKeyPair('Ed25519');
    const other = await generateKeyPair('Ed25519');
    const { v1 } = await versions(root);
    const src = await registrySource();
    try {
      src.set(null);
      const app = await makeApp(await open(), { env: consumerEnv(src.url, root), clock: new ManualClock(T0 + 5000) });
      const r = await get(app.app, '/.well-known/agent-trust.json');
      assert.equal(r.status, 503);
      assert.equal(r.body.code, 'REGISTRY_UNAVAILABLE');
      await assert.rejects(() => checkRegistryIssuer(app.ctx, 'alpha'), { code: 'REGISTRY_UNAVAILABLE' });
      await app.app.close();

      src.set(v1);
      const wrong = await makeApp(await open(), {
        env: consumerEnv(src.url, other),
        clock: new ManualClock(T0 + 5000),
      });
      assert.equal((await get(wrong.app, '/v1/registry/issuers/alpha')).body.code, 'REGISTRY_UNAVAILABLE');
      const refresh = await post(wrong.app, '/v1/registry/refresh', {}, admin(wrong.adminKey));
      assert.equal(refresh.body.outcome, 'REGISTRY_SIGNATURE_INVALID');
      await wrong.app.close();
    } finally {
      src.server.close();
    }
  },
);

eachEngine(
  'consumer: a new pinned root key and source replace the old registry, and its own rollback guard holds',
  async ({ open }) => {
    const oldRoot = await generateKeyPair('Ed25519');
    const newRoot = await generateKeyPair('Ed25519');
    const old = await versions(oldRoot);
    const next = await versions(newRoot);
    const src = await registrySource();
    try {
      const clock = new ManualClock(T0 + 5000);
      src.set(old.v2);
      const first = await makeApp(await open(), { env: consumerEnv(src.url, oldRoot), clock });
      assert.equal((await get(first.app, '/v1/registry')).body.sequence, 2);
      await first.app.close();

      // The operator pins another registry (root key and source) whose chain is shorter than the stored one's.
      src.set(next.v1);
      const moved = await makeApp(await open(), { env: consumerEnv(src.url, newRoot), clock });
      const summary = await get(moved.app, '/v1/registry');
      assert.equal(summary.status, 200, JSON.stringify(summary.body));
      assert.equal(summary.body.sequence, 1);
      assert.equal(summary.body.registry, next.v1.registry);
      assert.match(moved.logs.text(), /replaced another registry's stored document/);

      // The new registry's own history is guarded: forward to 2, then back to 1 is a rollback.
      src.set(next.v2);
      assert.equal((await post(moved.app, '/v1/registry/refresh', {}, admin(moved.adminKey))).body.sequence, 2);
      src.set(next.v1);
      const back = await post(moved.app, '/v1/registry/refresh', {}, admin(moved.adminKey));
      assert.equal(back.body.outcome, 'REGISTRY_ROLLBACK');
      // The old registry's document, served again, is no document of the pinned registry.
      src.set(old.v2);
      const foreign = await post(moved.app, '/v1/registry/refresh', {}, admin(moved.adminKey));
      assert.equal(foreign.body.accepted, false);
      assert.notEqual(foreign.body.outcome, 'updated');
      assert.equal((await get(moved.app, '/v1/registry')).body.registry, next.v1.registry);
      await moved.app.close();
    } finally {
      src.server.close();
    }
  },
);

eachEngine('consumer: a file path as the registry source, updated in place', async ({ open, dataDir }) => {
  const { writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const root = await generateKeyPair('Ed25519');
  const { v1, v2 } = await versions(root);
  const file = join(dataDir, 'agent-trust.json');
  await writeFile(file, JSON.stringify(v1));
  const clock = new ManualClock(T0 + 5000);
  const app = await makeApp(await open(), { env: consumerEnv(file, root), clock });
  try {
    assert.equal((await get(app.app, '/v1/registry')).body.sequence, 1);
    await writeFile(file, JSON.stringify(v2));
    const refreshed = await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey));
    assert.equal(refreshed.body.accepted, true, JSON.stringify(refreshed.body));
    assert.equal((await get(app.app, '/v1/registry')).body.sequence, 2);
    // A tampered file is refused and the last good document stays.
    const tampered = JSON.parse(JSON.stringify(v2)) as { issuers: Array<{ metadata: { name: string } }> };
    tampered.issuers[0]!.metadata.name = 'Someone Else';
    await writeFile(file, JSON.stringify(tampered));
    const bad = await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey));
    assert.equal(bad.body.accepted, false);
    assert.equal((await get(app.app, '/.well-known/agent-trust.json')).body.updatedAt, v2.updatedAt);
  } finally {
    await app.app.close();
  }
});
