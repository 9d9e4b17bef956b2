// An optional argument or input member set to null (JavaScript callers, settings read from JSON) went out as a JSON
// null, which the server's schemas refuse (400 VALIDATION_FAILED: `reason`, `issuerBinding` and `proof` are strings or
// an object): `agents.revoke(id, null)` and `VouchAgent.revoke(null)` sent `reason: null`, and
// `capabilities.issue({issuerBinding: null})` and `capabilities.revoke({proof: null})` also took the null for a
// binding or a proof, so the admin key was not sent. Null now means absent. `capabilities.delegate` sent its null
// `resource`, `action`, `expiresIn` and `proof` as they came (400 VALIDATION_FAILED, where absent members take the
// parent's). Against a loopback server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { generateKeyPair, VouchAgent, VouchClient } from '../src/index.ts';

const none = null as unknown as undefined;

test('a null revoke reason is not sent, by the client and by the agent', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"did":"did:x","status":"revoked","revokedAt":1}'));
  const client = new VouchClient({ baseUrl: s.url, credentials: { ownerKey: 'vouch_owner_k' } });
  await client.agents.revoke('did:x', none);
  const { privateKey } = await generateKeyPair('Ed25519');
  await new VouchAgent(client, { did: 'did:x', privateKey }).revoke(none);
  assert.deepEqual(
    s.received.map((r) => [r.url, r.body]),
    [
      ['/api/v1/agents/did%3Ax/revoke', '{}'],
      ['/api/v1/agents/did%3Ax/revoke', '{}'],
    ],
  );
});

test('capabilities.issue and revoke take a null binding, proof or reason as absent, the admin key sent', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"tokenId":"t","revoked":true,"alreadyRevoked":false}'));
  const client = new VouchClient({ baseUrl: s.url, credentials: { adminKey: 'vouch_admin_k' } });
  const issue = { agentId: 'did:x', resource: 'files:a', action: 'read', tier: 'observe', expiresIn: 60 } as const;
  await client.capabilities.issue({ ...issue, issuerBinding: none, proof: none });
  await client.capabilities.revoke({ tokenId: 't', proof: none, reason: none });
  assert.deepEqual(
    s.received.map((r) => [r.url, r.headers['x-api-key'], JSON.parse(r.body)]),
    [
      ['/v1/tokens', 'vouch_admin_k', issue],
      ['/v1/tokens/revoke', 'vouch_admin_k', { tokenId: 't' }],
    ],
  );
});

test('capabilities.delegate takes a null resource, action, expiresIn or proof as absent', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"tokenId":"c","token":"x.y.z","expiresAt":"x"}'));
  const client = new VouchClient({ baseUrl: s.url });
  await client.capabilities.delegate({ token: 'p.q.r', resource: none, action: none, expiresIn: none, proof: none });
  await client.capabilities.delegate({ token: 'p.q.r', resource: 'files:a', action: none, expiresIn: 60 });
  assert.deepEqual(
    s.received.map((r) => [r.url, JSON.parse(r.body)]),
    [
      ['/v1/tokens/delegate', { token: 'p.q.r' }],
      ['/v1/tokens/delegate', { token: 'p.q.r', resource: 'files:a', expiresIn: 60 }],
    ],
  );
});
