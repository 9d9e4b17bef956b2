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
          { resolveKey: capabilityKeysFromVouchKeys(keys), now: app.clock.now(), registry: doc },
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
