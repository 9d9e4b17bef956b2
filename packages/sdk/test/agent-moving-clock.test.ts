// Every flow in which the SDK signs a time, against a live server whose clock moves at every reading the client takes
// (as Date.now does): a flow that signs one reading and sends another disagrees with itself and is refused. Each runs
// twice: from the start of a second, and from its last millisecond but one, so that the flow's readings straddle a
// second (the capability proof's iat is in seconds). agents.rotateKey was refused this way (agent-key-rotation.test.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createAgentIdentity, generateKeyPair, signAgentCredential, VouchAgent, VouchClient } from '../src/index.ts';
import type { GeneratedKeyPair } from '../src/index.ts';
import { ADMIN_KEY, genesisThreeIssuers, startLiveServer, T0 } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

let live: LiveServer;
let anon: VouchClient;
let admin: VouchClient;
let readings = 0;
let keys: Record<string, GeneratedKeyPair>;

before(async () => {
  // The key proof of registration is sent, and checked by a server that requires it.
  live = await startLiveServer({ VOUCH_REQUIRE_KEY_PROOF: '1' });
  // Each reading the client takes moves the server's clock too, by a millisecond.
  const now = () => {
    readings++;
    live.clock.advance(1);
    return live.clock.now();
  };
  anon = new VouchClient({ baseUrl: live.url, now, retry: { retries: 0 } });
  admin = anon.withCredentials({ adminKey: ADMIN_KEY });
  await admin.integrators.create({ slug: 'moving-shop', name: 'Moving shop', domain: 'shop.example', metrics: [] });
  keys = await genesisThreeIssuers(admin, new Date(T0));
});
after(() => live.close());

/** Puts the clock `ms` milliseconds into its next second. */
function atMillisecond(ms: number): void {
  const now = live.clock.now();
  live.clock.set(now - (now % 1000) + 1000 + ms);
}

/** A registered agent (key proof signed with the moving clock) whose client signs with it. */
async function newAgent(): Promise<VouchAgent> {
  return (await createAgentIdentity(anon, { difficulty: 0 })).agent;
}

for (const [name, startMs] of [
  ['from the start of a second', 0],
  ['across a second boundary', 998],
] as const) {
  test(`createAgentIdentity: the key proof is accepted (${name})`, async () => {
    atMillisecond(startMs);
    const created = await createAgentIdentity(anon, { difficulty: 0 });
    assert.match(created.did, /^did:identity:/);
  });

  test(`signContent, with and without a note (${name})`, async () => {
    const agent = await newAgent();
    atMillisecond(startMs);
    const from = readings;
    const plain = await agent.signContent('moving clock');
    assert.ok(readings > from, 'the client read the clock');
    atMillisecond(startMs);
    const noted = await agent.signContent('moving clock', { publicNote: 'a note' });
    assert.notEqual(plain.signatureHash, noted.signatureHash);
  });

  test(`grantConsent then revokeConsent (${name})`, async () => {
    const agent = await newAgent();
    atMillisecond(startMs);
    assert.equal((await agent.grantConsent('moving-shop')).status, 'allowed');
    atMillisecond(startMs);
    assert.equal((await agent.revokeConsent('moving-shop')).status, 'revoked');
  });

  test(`report (${name})`, async () => {
    const target = await newAgent();
    const reporter = await newAgent();
    atMillisecond(startMs);
    const receipt = await reporter.report(target.did, 'spam', { details: 'moving' });
    assert.equal(typeof receipt, 'object');
  });

  test(`requestToken: identity and session (${name})`, async () => {
    const agent = await newAgent();
    atMillisecond(startMs);
    assert.equal((await agent.requestToken()).token_type, 'identity');
    atMillisecond(startMs);
    const session = await agent.requestToken({ audience: 'shop.example', nonce: 'n-1' });
    assert.equal(session.token_type, 'session');
  });

  test(`requestCapability with an issuer binding and its proof of possession (${name})`, async () => {
    const agent = await newAgent();
    const credential = await signAgentCredential(
      {
        issuerId: 'alpha',
        agentId: agent.did,
        scope: ['payments:*:read'],
        agentKey: agent.privateKey.publicKey,
        ttlSeconds: 3600,
        now: live.clock.now(),
      },
      keys.alpha!.privateKey,
    );
    atMillisecond(startMs);
    const token = await agent.requestCapability({
      resource: 'payments:invoices',
      action: 'read',
      tier: 'standard',
      expiresIn: 60,
      issuerBinding: { issuerId: 'alpha', agentCredential: credential },
    });
    assert.equal(typeof token.token, 'string');
  });

  test(`agent-signed requests: slug, management token, key rotation, revocation (${name})`, async () => {
    const agent = await newAgent();
    atMillisecond(startMs);
    const slug = `moving-${startMs}`;
    assert.equal((await agent.client.agents.setSlug(agent.did, slug)).slug, slug);
    atMillisecond(startMs);
    await agent.client.agents.rotateManagementToken(agent.did);
    atMillisecond(startMs);
    const next = await generateKeyPair('Ed25519');
    assert.equal((await agent.rotateKey(next.privateKey)).publicKey, next.publicKeyBase64);
    const renewed = new VouchAgent(anon, { did: agent.did, privateKey: next.privateKey });
    atMillisecond(startMs);
    await renewed.revoke('done');
  });
}
