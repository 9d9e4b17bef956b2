// Mutation gaps in what the client sends (src/client/http.ts, src/client/capabilities.ts), against a loopback server
// that records every request:
// - an undefined query member is absent (only null was checked): mutated to skip null alone, `after=undefined` went
//   out as a cursor the server cannot read;
// - an empty path parameter is INVALID_ARGUMENT and nothing is sent: without the length check, `agents.revoke('')`
//   asked `/api/v1/agents//revoke` and `identity.get('')` asked `/v1/identity/`, another path, with credentials;
// - capabilities.issue with an issuerBinding and capabilities.revoke with a proof send no admin key unless `as` names
//   it (the binding or proof authorizes; PROTOCOL.md, Client): with the `'none'` default gone, the admin's secret went
//   along with every bound issue and proof revoke of a client that holds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVouchError, VouchClient } from '../src/index.ts';
import { respond, serveAnswers } from './answering-server.ts';

test('an undefined query member is not sent', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"agents":[],"next":null}'));
  const client = new VouchClient({ baseUrl: s.url, credentials: { ownerKey: 'o' } });
  await client.owners.me({ after: undefined, limit: 5 });
  await client.tokens.revocations({ since: undefined });
  assert.deepEqual(s.seen, ['/api/v1/owners/me?limit=5', '/api/registry/revocations']);
});

test('an empty path parameter is INVALID_ARGUMENT and nothing is sent', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{}'));
  const client = new VouchClient({ baseUrl: s.url, credentials: { ownerKey: 'o', adminKey: 'a' } });
  const calls: Array<() => Promise<unknown>> = [
    () => client.agents.revoke(''),
    () => client.identity.get(''),
    () => client.registry.issuer(''),
    () => client.integrators.rotateKey(''),
  ];
  for (const call of calls) {
    await assert.rejects(call(), (err: unknown) => isVouchError(err, 'INVALID_ARGUMENT'));
  }
  assert.deepEqual(s.seen, []);
});

test('a bound capability issue and a proof revoke send no admin key unless asked to', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"tokenId":"t","token":"x","expiresAt":"x"}'));
  const client = new VouchClient({ baseUrl: s.url, credentials: { adminKey: 'vouch_admin_k' } });
  const issue = { agentId: 'did:x', resource: 'files:a', action: 'read', tier: 'observe', expiresIn: 60 } as const;
  const issuerBinding = { issuerId: 'alpha', agentCredential: 'c.r.d' };
  await client.capabilities.issue({ ...issue, issuerBinding });
  await client.capabilities.revoke({ tokenId: 't', proof: 'p.r.f' });
  await client.capabilities.issue({ ...issue, issuerBinding }, { as: 'admin' });
  await client.capabilities.revoke({ tokenId: 't', proof: 'p.r.f' }, { as: 'admin' });
  await client.capabilities.issue(issue);
  assert.deepEqual(
    s.received.map((r) => [r.url, r.headers['x-api-key']]),
    [
      ['/v1/tokens', undefined],
      ['/v1/tokens/revoke', undefined],
      ['/v1/tokens', 'vouch_admin_k'],
      ['/v1/tokens/revoke', 'vouch_admin_k'],
      ['/v1/tokens', 'vouch_admin_k'],
    ],
  );
});
