// The client's credentials never show up when the client is printed: `console.log(client)`, `util.inspect`, a
// structured log line or `JSON.stringify` of an object that holds it. Before, the admin key, owner and integrator keys
// and the management token were plain properties of the client and of its transport (reachable from every endpoint
// group), so logging a client printed each of them several times. The SDK's key objects already keep their bytes out
// of sight the same way. The credentials still authenticate calls (against a real server on 127.0.0.1).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { generateKeyPair, VouchClient } from '../src/index.ts';
import { ADMIN_KEY, startLiveServer } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

let live: LiveServer;
before(async () => {
  live = await startLiveServer();
});
after(async () => {
  await live?.close();
});

const SECRETS = {
  ownerKey: 'vouch_owner_SECRET-OWNER-KEY',
  integratorKey: 'SECRET-INTEGRATOR-KEY',
  managementToken: 'vouch_mgmt_SECRET-MANAGEMENT-TOKEN',
};

function assertHidden(value: unknown, secrets: string[]): void {
  const printed = [inspect(value, { depth: Infinity, showHidden: true }), JSON.stringify(value)];
  for (const text of printed) for (const s of secrets) assert.ok(!text.includes(s), `${s} is printed`);
}

test('printing a client, or serializing it, shows none of its credentials', async () => {
  const agent = await generateKeyPair('Ed25519');
  const client = new VouchClient({
    baseUrl: live.url,
    credentials: { adminKey: ADMIN_KEY, ...SECRETS, agent: { did: 'did:identity:x', privateKey: agent.privateKey } },
  });
  const secrets = [ADMIN_KEY, ...Object.values(SECRETS)];
  assertHidden(client, secrets);
  assertHidden(client.http, secrets);
  assertHidden({ client }, secrets);
  const derived = client.withCredentials({ ownerKey: 'vouch_owner_OTHER-SECRET' });
  assertHidden(derived, [...secrets, 'vouch_owner_OTHER-SECRET']);

  // They still authenticate: the admin key reaches an admin route, from the client and from a derived one.
  assert.equal(typeof (await client.server.keys()), 'object');
  assert.equal(typeof (await derived.server.keys({ as: 'admin' })), 'object');
  assert.equal(derived.http.has('owner'), true);
});
