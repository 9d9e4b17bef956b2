// An offline verifier reads /.well-known/vouch-keys.json from the network: capabilityKeysFromVouchKeys must treat it
// as untrusted, skipping entries that are not key objects (as keysFromJwks does for a JWKS), not throw a TypeError.
import assert from 'node:assert/strict';
import { capabilityKeysFromVouchKeys, checkCapability } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, get } from '../registry/fixtures.ts';
import { issue } from './helpers.ts';

const REQ = { agentId: 'agent:offline:v1', resource: 'payments:invoices', action: 'read' };

eachEngine('a vouch-keys.json with null or non-object entries: the offline check skips them', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage, { env: { VOUCH_LOG_LEVEL: 'silent' } });
  try {
    const issued = await issue(app.app, REQ, admin(app.adminKey));
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const listed = (await get(app.app, '/.well-known/vouch-keys.json')).body as {
      keys: Array<Record<string, unknown>>;
    };
    // What a broken or hostile server (or a proxy) may serve around the genuine keys.
    const keys = [null, 1, 'capability', [], ...listed.keys, null] as unknown as Array<Record<string, unknown>>;
    const resolveKey = capabilityKeysFromVouchKeys({ keys });
    const decision = await checkCapability(issued.body.token!, REQ, { resolveKey, now: app.clock.now() });
    assert.equal(decision.decision, 'allow');
    // And a document that is not an object at all holds no keys.
    for (const doc of [null, 'keys', { keys: null }]) {
      const none = capabilityKeysFromVouchKeys(doc as never);
      const d = await checkCapability(issued.body.token!, REQ, { resolveKey: none, now: app.clock.now() });
      assert.equal(d.decision === 'deny' && d.code, 'INVALID_SIGNATURE');
    }
  } finally {
    await app.app.close();
  }
});
