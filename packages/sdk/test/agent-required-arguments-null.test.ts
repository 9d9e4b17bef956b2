// The agent helpers' required arguments: new VouchAgent and createAgentIdentity read the client they are given, and
// requestCapability its request, without a guard, so a null or absent one (a JavaScript caller, settings read from
// JSON) threw a raw TypeError ("Cannot read properties of null (reading 'withCredentials')"). Each now throws
// VouchError INVALID_ARGUMENT naming what it needs. And a null issuerBinding in a capability request (settings read
// from JSON) was sent as an empty binding `{}` with a proof; it is now an absent binding, as a null member is
// elsewhere in the agent helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAgentIdentity, generateKeyPair, isVouchError, VouchAgent, VouchClient } from '../src/index.ts';
import type { CapabilityTokenRequest, HttpFetch } from '../src/index.ts';

function invalid(names: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isVouchError(err), String(err));
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.message, names);
    return true;
  };
}

test('a null client or capability request is INVALID_ARGUMENT; a null issuerBinding is no binding', async () => {
  const bodies: unknown[] = [];
  const fetch: HttpFetch = async (_url, init) => {
    bodies.push(JSON.parse(init.body ?? 'null'));
    return { status: 200, headers: new Headers({ 'content-type': 'application/json' }), text: async () => '{}' };
  };
  const client = new VouchClient({ baseUrl: 'http://127.0.0.1:1', fetch, credentials: { adminKey: 'a' } });
  const { privateKey } = await generateKeyPair('Ed25519');
  for (const bad of [null, undefined, {}]) {
    const c = bad as unknown as VouchClient;
    assert.throws(() => new VouchAgent(c, { did: 'did:identity:me', privateKey }), invalid(/VouchClient/));
    await assert.rejects(createAgentIdentity(c), invalid(/VouchClient/), String(bad));
  }
  const agent = new VouchAgent(client, { did: 'did:identity:me', privateKey });
  for (const bad of [null, undefined, 'read']) {
    const request = bad as unknown as CapabilityTokenRequest;
    await assert.rejects(agent.requestCapability(request), invalid(/resource, action/), String(bad));
  }
  assert.equal(bodies.length, 0);
  const request = { resource: 'payments:invoices', action: 'read', tier: 'standard', expiresIn: 60 } as const;
  await agent.requestCapability({ ...request, issuerBinding: null as unknown as undefined });
  assert.deepEqual(bodies, [{ agentId: 'did:identity:me', ...request }]);
});
