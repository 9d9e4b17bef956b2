// A consent is a recorded signature whose payloadHash is SHA-256 of the canonical integrator_consent_v1 object, and
// signContent records SHA-256 of the content it is given: an agent that signs content on request (a document
// signing service) asked to sign that object's text would record a consent anyone could then post. signContent
// refuses such content before signing or sending anything; consent goes through grantConsent/revokeConsent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { ADMIN_KEY, startLiveServer } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';
import {
  canonicalize,
  consentPayload,
  encodeUtf8,
  generateKeyPair,
  isVouchError,
  VouchAgent,
  VouchClient,
} from '../src/index.ts';

const refused = (err: unknown) => {
  assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), `expected INVALID_ARGUMENT, got ${String(err)}`);
  assert.match((err as Error).message, /integrator_consent_v1/);
  assert.match((err as Error).message, /grantConsent/);
  return true;
};

test('signContent refuses a consent statement, as text or bytes, and sends nothing; other content signs', async (t) => {
  const s = await serveAnswers(t, respond('application/json', JSON.stringify({ signatureHash: 'b'.repeat(64) }), 201));
  const { privateKey } = await generateKeyPair('Ed25519');
  const agent = new VouchAgent(new VouchClient({ baseUrl: s.url, retry: { retries: 0 } }), {
    did: 'did:vouch:signer',
    privateKey,
  });
  const statement = canonicalize(consentPayload('did:vouch:signer', 'attacker-shop', 'allow', Date.UTC(2026, 0, 1)));
  for (const content of [
    statement,
    encodeUtf8(statement),
    ` \n${statement}\r\n`,
    '{"type":"integrator_consent_v1"}',
    encodeUtf8('{"action":"revoke","type":"integrator_consent_v1","extra":[1,2]}'),
  ]) {
    await assert.rejects(agent.signContent(content), refused);
    await assert.rejects(agent.signContent(content, { publicNote: 'looks harmless' }), refused);
  }
  assert.deepEqual(s.seen, [], 'no request reached the server');

  for (const content of [
    'hello, world',
    '{"type":"invoice","amount":12}',
    '[{"type":"integrator_consent_v1"}]',
    '"integrator_consent_v1"',
    '{"type":"integrator_consent_v1"', // not JSON
    '{"payload":{"type":"integrator_consent_v1"}}',
    new Uint8Array([0x7b, 0xff, 0x7d]), // not UTF-8
    new Uint8Array(0),
  ]) {
    assert.equal((await agent.signContent(content)).signatureHash, 'b'.repeat(64));
  }
  assert.equal(s.seen.length, 8);
});

let live: LiveServer;
before(async () => {
  live = await startLiveServer();
});
after(() => live.close());

test('grantConsent and revokeConsent still record consents end to end; signContent of the statement does not', async () => {
  const anon = new VouchClient({ baseUrl: live.url, now: () => live.clock.now() });
  await anon
    .withCredentials({ adminKey: ADMIN_KEY })
    .integrators.create({ slug: 'consent-shop', name: 'Consent shop', domain: 'shop.example', metrics: [] });
  const { did, key } = await live.registerAgent();
  const agent = new VouchAgent(anon, { did, privateKey: key.privateKey });
  const signedAt = live.clock.now();
  await assert.rejects(
    agent.signContent(canonicalize(consentPayload(did, 'consent-shop', 'allow', signedAt))),
    refused,
  );
  const granted = await agent.grantConsent('consent-shop');
  assert.deepEqual(granted, { did, integratorSlug: 'consent-shop', status: 'allowed', signedAt });
  const revoked = await agent.revokeConsent('consent-shop');
  assert.equal(revoked.status, 'revoked');
});
