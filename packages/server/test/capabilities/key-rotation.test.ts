// `POST /api/v1/admin/keys/rotate {purpose: "capability"}`: new tokens carry the new kid at once, tokens signed by
// the retired key still pass the gateway and the offline check, and vouch-keys.json lists both keys.
import assert from 'node:assert/strict';
import { capabilityKeysFromVouchKeys, checkCapability, decodeJwt, type RegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, get, post } from '../registry/fixtures.ts';
import { boundToken, genesis, intercept } from './helpers.ts';

const X = 'agent:my-assistant:v1';

function kidOf(token: string): string {
  return decodeJwt(token).header.kid!;
}

eachEngine(
  'capability key rotation: new kid at once, old tokens still allowed online and offline',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const reg = await genesis(app);
      const before = await boundToken(app, reg.issuers.acme!, X);
      const oldKid = kidOf(before.token);

      const rotated = await post(app.app, '/api/v1/admin/keys/rotate', { purpose: 'capability' }, admin(app.adminKey));
      assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
      assert.equal(rotated.body.purpose, 'capability');
      assert.equal(rotated.body.alg, 'EdDSA');
      assert.equal(rotated.body.generation, 2);
      assert.deepEqual(rotated.body.retired, [oldKid]);

      const after = await boundToken(app, reg.issuers.acme!, X);
      assert.equal(kidOf(after.token), rotated.body.kid, 'the next token is signed by the new key');
      assert.notEqual(rotated.body.kid, oldKid);
      for (const t of [before.token, after.token])
        assert.deepEqual(await intercept(app.app, t, X), { decision: 'allow' });

      const keys = (await get(app.app, '/.well-known/vouch-keys.json')).body as {
        keys: Array<Record<string, unknown>>;
      };
      const capability = keys.keys.filter((k) => k.purpose === 'capability');
      assert.deepEqual(
        capability.map((k) => [k.kid, k.status]).sort(),
        [
          [oldKid, 'retired'],
          [rotated.body.kid, 'active'],
        ].sort(),
      );
      const doc = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
      for (const t of [before.token, after.token]) {
        const offline = await checkCapability(
          t,
          { agentId: X, resource: 'payments:invoices', action: 'read' },
          {
            resolveKey: capabilityKeysFromVouchKeys(keys, { now: () => app.clock.now() }),
            now: app.clock.now(),
            registry: doc,
          },
        );
        assert.equal(offline.decision, 'allow');
      }
      const listed = await app.app.inject({ method: 'GET', url: '/api/v1/admin/keys', headers: admin(app.adminKey) });
      const rows = (listed.json() as { keys: Array<Record<string, unknown>> }).keys.filter(
        (k) => k.purpose === 'capability',
      );
      assert.ok(
        rows.every((k) => k.published === true),
        'a retired Ed25519 key stays published',
      );
    } finally {
      await app.app.close();
    }
  },
);

eachEngine(
  'a retired capability key leaves vouch-keys.json when no token it signed can be live; tool-manifest keys stay',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const reg = await genesis(app);
      const before = await boundToken(app, reg.issuers.acme!, X);
      const oldKid = kidOf(before.token);
      const oldManifestKid = (
        (await post(app.app, '/api/v1/admin/keys/rotate', { purpose: 'tool-manifest' }, admin(app.adminKey))).body as {
          retired: string[];
        }
      ).retired[0]!;
      const rotated = await post(app.app, '/api/v1/admin/keys/rotate', { purpose: 'capability' }, admin(app.adminKey));
      assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
      const listedKeys = async () =>
        ((await get(app.app, '/.well-known/vouch-keys.json')).body as { keys: Array<Record<string, unknown>> }).keys;
      const adminRows = async () =>
        (
          (await app.app.inject({ method: 'GET', url: '/api/v1/admin/keys', headers: admin(app.adminKey) })).json() as {
            keys: Array<{ kid: string; published: boolean; drops_at: string | null }>;
          }
        ).keys;

      // Listed with the time it leaves: the gateway's own drop time for it.
      const retired = (await listedKeys()).find((k) => k.kid === oldKid)!;
      assert.equal(retired.status, 'retired');
      const dropsAt = Date.parse(retired.drops_at as string);
      const skewMs = app.ctx.config.clockSkewSeconds * 1000;
      assert.equal(dropsAt, app.clock.now() + 60_000 + skewMs + 86_400_000 + skewMs);
      const row = (await adminRows()).find((k) => k.kid === oldKid)!;
      assert.deepEqual([row.published, row.drops_at], [true, retired.drops_at]);
      // An offline gateway that read the list now and keeps its resolver (no re-read) must drop the key on time too.
      const kept = capabilityKeysFromVouchKeys({ keys: await listedKeys() }, { now: () => app.clock.now() });

      app.clock.advance(dropsAt - app.clock.now() - 1);
      assert.ok(
        (await listedKeys()).some((k) => k.kid === oldKid),
        'listed until its drop time',
      );
      assert.ok(await kept(oldKid, { alg: 'EdDSA', kid: oldKid }), 'the kept resolver trusts it until then');
      app.clock.advance(1);
      const after = await listedKeys();
      assert.ok(!after.some((k) => k.kid === oldKid), 'gone once no token it signed can be live');
      assert.ok(
        after.some((k) => k.kid === oldManifestKid && k.status === 'retired' && k.drops_at === undefined),
        'a retired tool-manifest key stays listed',
      );
      assert.equal((await adminRows()).find((k) => k.kid === oldKid)!.published, false);
      // An offline verifier reading the list now no longer knows the old key.
      const offline = await checkCapability(
        before.token,
        { agentId: X, resource: 'payments:invoices', action: 'read' },
        {
          resolveKey: capabilityKeysFromVouchKeys({ keys: after }, { now: () => app.clock.now() }),
          now: app.clock.now(),
        },
      );
      assert.deepEqual([offline.decision, (offline as { code?: string }).code], ['deny', 'INVALID_SIGNATURE']);
      const stale = await checkCapability(
        before.token,
        { agentId: X, resource: 'payments:invoices', action: 'read' },
        { resolveKey: kept, now: app.clock.now() },
      );
      assert.deepEqual(
        [stale.decision, (stale as { code?: string }).code],
        ['deny', 'INVALID_SIGNATURE'],
        'the list read before drops_at no longer gives the key',
      );
    } finally {
      await app.app.close();
    }
  },
);
