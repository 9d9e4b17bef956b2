// Client methods whose input object is required and read before sending (capabilities.issue and revoke,
// capabilities.interceptBatch's list, tokens.verify, agents.rotateKey) threw a raw TypeError on a null or absent one
// (a JavaScript caller, settings read from JSON: "Cannot read properties of null (reading 'issuerBinding')"). Each
// now throws VouchError INVALID_ARGUMENT naming what it needs, and nothing is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVouchError, VouchClient } from '../src/index.ts';
import type { HttpFetch } from '../src/index.ts';

function invalid(names: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isVouchError(err), String(err));
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.message, names);
    return true;
  };
}

test('a required input that is null, absent or not an object is INVALID_ARGUMENT, and nothing is sent', async () => {
  let sent = 0;
  const fetch: HttpFetch = async () => {
    sent++;
    return { status: 200, headers: new Headers({ 'content-type': 'application/json' }), text: async () => '{}' };
  };
  const client = new VouchClient({ baseUrl: 'http://127.0.0.1:1', fetch, credentials: { adminKey: 'a' } });
  type Any = never;
  for (const bad of [null, undefined, 'x']) {
    const input = bad as Any;
    await assert.rejects(client.capabilities.issue(input), invalid(/capabilities\.issue.*agentId/), String(bad));
    await assert.rejects(client.capabilities.revoke(input), invalid(/capabilities\.revoke.*tokenId/), String(bad));
    await assert.rejects(client.capabilities.interceptBatch(input), invalid(/interceptBatch.*array/), String(bad));
    await assert.rejects(client.tokens.verify(input), invalid(/tokens\.verify.*token/), String(bad));
    await assert.rejects(client.agents.rotateKey('did:key:x', input), invalid(/rotateKey.*newPublicKey/), String(bad));
  }
  assert.equal(sent, 0);
  await client.capabilities.revoke({ tokenId: 't1' });
  await client.capabilities.interceptBatch([]);
  assert.equal(sent, 2);
});

// integrators.create and integrators.setMetrics copied the metrics list (`input.metrics.map`) unguarded: a null input
// or a missing or null list threw a raw TypeError, synchronously.
test('integrators.create and setMetrics without a metrics list are INVALID_ARGUMENT, and nothing is sent', async () => {
  let sent = 0;
  const fetch: HttpFetch = async () => {
    sent++;
    return { status: 200, headers: new Headers({ 'content-type': 'application/json' }), text: async () => '{}' };
  };
  const client = new VouchClient({ baseUrl: 'http://127.0.0.1:1', fetch, credentials: { adminKey: 'a' } });
  type Any = never;
  for (const bad of [null, undefined, 'x', { slug: 'acme', name: 'Acme', domain: 'acme.example' }]) {
    await assert.rejects(client.integrators.create(bad as Any), invalid(/integrators\.create.*metrics/), String(bad));
  }
  for (const bad of [null, undefined, 'x']) {
    await assert.rejects(client.integrators.setMetrics('acme', bad as Any), invalid(/setMetrics.*metrics/));
  }
  assert.equal(sent, 0);
  await client.integrators.setMetrics('acme', []);
  assert.equal(sent, 1);
});
