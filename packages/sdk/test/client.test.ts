// VouchClient against a real listening Vouch server: every OpenAPI operation has a client method, credentials of each
// kind work, agent-signed requests are accepted, and refusals arrive as VouchApiError with the server's own code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, isVouchError, NOT_IN_CLIENT, ROUTES, VouchApiError, VouchClient } from '../src/index.ts';
import { ADMIN_KEY, startLiveServer } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

let live: LiveServer;
let admin: VouchClient;
let anon: VouchClient;

before(async () => {
  live = await startLiveServer();
  const common = { baseUrl: live.url, now: () => live.clock.now(), retry: { retries: 0 } };
  admin = new VouchClient({ ...common, credentials: { adminKey: ADMIN_KEY } });
  anon = new VouchClient(common);
});
after(() => live.close());

async function refusal(p: Promise<unknown>): Promise<VouchApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof VouchApiError, String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

test('every operation of the OpenAPI document has a client route', async () => {
  const doc = (await (await fetch(`${live.url}/docs/json`)).json()) as { paths: Record<string, object> };
  const served = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    const template = path.replace(/\{([A-Za-z]+)\}/g, ':$1');
    for (const method of Object.keys(ops)) {
      if (['get', 'post', 'put', 'delete', 'head', 'patch'].includes(method))
        served.add(`${method.toUpperCase()} ${template}`);
    }
  }
  const inClient = new Set(Object.values(ROUTES).map((r) => `${r.method} ${r.path}`));
  const missing = [...served].filter((op) => !inClient.has(op) && !NOT_IN_CLIENT.includes(op.split(' ')[1]!));
  assert.deepEqual(missing, [], 'operations without a client method');
  assert.deepEqual(
    [...inClient].filter((op) => !served.has(op)),
    [],
    'client routes the server does not serve',
  );
});

test('owners, linking keys, registration and claiming, with each credential', async () => {
  const owner = await admin.owners.create({ name: 'Acme', handle: 'acme-client' });
  assert.match(owner.apiKey, /^vouch_owner_/);
  const asOwner = anon.withCredentials({ ownerKey: owner.apiKey });
  const { linkingKey } = await asOwner.owners.createLinkingKey();
  const key = await generateKeyPair('Ed25519');
  const linked = await anon.agents.register({ publicKey: key.publicKeyBase64!, powNonce: '0', linkingKey });
  assert.equal(linked.linked, true);
  const other = await generateKeyPair('Ed25519');
  const unclaimed = await anon.agents.register({ publicKey: other.publicKeyBase64!, powNonce: '0', label: 'b' });
  const claimed = await asOwner.agents.claim(unclaimed.claimToken!);
  assert.equal(claimed.status, 'claimed');
  const me = await asOwner.owners.me();
  assert.deepEqual(me.agents.map((a) => a.did).sort(), [linked.did, unclaimed.did].sort());
  assert.equal(me.next, null);
  // A page at a time: `next` of one page is `after` of the next, null on the last.
  const first = await asOwner.owners.me({ limit: 1 });
  assert.deepEqual([first.agents.map((a) => a.did), first.next], [[me.agents[0]!.did], me.agents[0]!.did]);
  const second = await asOwner.owners.me({ limit: 1, after: first.next! });
  assert.deepEqual([second.agents.map((a) => a.did), second.next], [[me.agents[1]!.did], null]);

  // the server's codes, verbatim
  const taken = await refusal(admin.owners.create({ name: 'Acme', handle: 'acme-client' }));
  assert.equal(taken.code, 'HANDLE_TAKEN');
  assert.equal(taken.status, 409);
  const again = await refusal(anon.agents.register({ publicKey: key.publicKeyBase64!, powNonce: '0' }));
  assert.ok(isVouchError(again, 'KEY_ALREADY_REGISTERED'));
  const unauth = await refusal(anon.owners.me());
  assert.equal(unauth.code, 'UNAUTHORIZED');
  const bad = await refusal(admin.owners.create({ name: 'x', handle: 'Not A Handle' }));
  assert.equal(bad.code, 'VALIDATION_FAILED');
  assert.equal(bad.field, 'body.handle');
});

test('agent-signed requests: the agent takes a slug and revokes itself; then its token requests are AGENT_REVOKED', async () => {
  const agent = await live.registerAgent();
  const asAgent = anon.withCredentials({ agent: { did: agent.did, privateKey: agent.key.privateKey } });
  const slug = await asAgent.agents.setSlug(agent.did, 'signed-bot');
  assert.equal(slug.slug, 'signed-bot');
  assert.equal((await anon.identity.get('signed-bot')).did, agent.did);
  // a signature by another key is not this agent
  const stranger = await generateKeyPair('Ed25519');
  const forged = anon.withCredentials({ agent: { did: agent.did, privateKey: stranger.privateKey } });
  assert.equal((await refusal(forged.agents.releaseSlug(agent.did))).code, 'UNAUTHORIZED');
  const revoked = await asAgent.agents.revoke(agent.did, 'done');
  assert.equal(revoked.status, 'revoked');
  const err = await refusal(admin.tokens.issue({ agent_name: agent.did }, { as: 'admin' }));
  assert.equal(err.code, 'AGENT_REVOKED');
  assert.equal(err.status, 403);
});

test('Treeship identities: management token, tools, verify-tools, voice', async () => {
  const key = await generateKeyPair('Ed25519');
  const reg = await anon.identity.register({ slug: 'tool-bot', name: 'Tool bot', public_key_pem: key.publicPem });
  const mgmt = anon.withCredentials({ managementToken: reg.management_token });
  const m = await mgmt.identity.setTools('tool-bot', { tools: ['write', 'read'], tool_descriptions: { read: 'r' } });
  assert.deepEqual(m.tools, ['read', 'write']);
  assert.deepEqual(await anon.identity.getTools('tool-bot'), m);
  const check = await anon.identity.verifyTools('tool-bot', ['read', 'delete']);
  assert.equal(check.verified, false);
  assert.deepEqual(check.unauthorized_tools, ['delete']);
  await mgmt.identity.setVoiceFingerprint('tool-bot', {
    fingerprint_hash: 'ab'.repeat(32),
    provider: 'x',
    sample_count: 3,
  });
  assert.equal((await anon.identity.verifyVoice('tool-bot', 'ab'.repeat(32))).verified, true);
  const challenge = await mgmt.identity.domainChallenge('tool-bot', 'tool.example');
  assert.equal(typeof challenge, 'object');
});

test('AIP tokens: issue as admin, verify (401 is an answer, not an error), revoke, the revocation list', async () => {
  const agent = await live.registerAgent();
  const issued = await admin.tokens.issue(
    { agent_name: agent.did, token_type: 'session', audience: 'shop' },
    { as: 'admin' },
  );
  const ok = await anon.tokens.verify({ token: issued.token, audience: 'shop' });
  assert.equal(ok.valid, true);
  const wrong = await anon.tokens.verify({ token: issued.token, audience: 'bank' });
  assert.deepEqual(wrong, { ...wrong, valid: false, code: 'JWT_AUDIENCE_MISMATCH' });
  assert.deepEqual(await admin.tokens.revoke({ jti: issued.jti, reason: 'test' }), { revoked: true, jti: issued.jti });
  const list = await anon.tokens.revocations();
  assert.ok(list.revoked.some((r) => r.jti === issued.jti));
  assert.equal((await anon.tokens.verify({ token: issued.token })).valid, false);
  const disc = await anon.tokens.discovery();
  assert.equal(disc.issuer, live.url);
  assert.ok((await anon.tokens.jwks()).keys.length >= 1);
  assert.ok(Array.isArray((await anon.tokens.agents({ limit: 5 })).agents));
  assert.match(await anon.tokens.spec(), /Vouch protocol/);
});

test('server and admin views: health, readiness, keys, audit, key rotation', async () => {
  assert.deepEqual(await anon.server.health(), { status: 'ok' });
  assert.deepEqual(await anon.server.ready(), { status: 'ready' });
  const rotated = await admin.server.rotateKey();
  assert.ok((await admin.server.keys()).keys.some((k) => k.kid === rotated.kid));
  const firstPage = await admin.server.audit({ limit: 1 });
  assert.equal(firstPage.entries.length, 1);
  // The log holds more than one entry by now: next leads to the older ones, and a page of them all ends with null.
  assert.equal(typeof firstPage.next, 'number');
  const older = await admin.server.audit({ limit: 500, before: firstPage.next! });
  assert.ok(older.entries.length >= 1);
  assert.equal(older.next, null);
  assert.ok(Array.isArray((await anon.server.vouchKeys()).keys));
  assert.match(await admin.server.metrics(), /# (HELP|TYPE)/);
  assert.equal((await refusal(anon.server.audit())).code, 'UNAUTHORIZED');
});

test('the remaining endpoints: key rotation, registry governance reads, integrators, reputation, delegation', async () => {
  // rotate an agent's key: the request signed by the old key, the statement by the new one, one signedAt for both
  const agent = await live.registerAgent();
  const next = await generateKeyPair('Ed25519');
  const signedAt = live.clock.now();
  const statement = `vouch-rotate-key-v1:${agent.did}:${agent.key.publicKeyBase64}:${next.publicKeyBase64}:${signedAt}`;
  const { getDefaultCrypto, encodeBase64, encodeUtf8 } = await import('../src/index.ts');
  const newKeySignature = encodeBase64(await getDefaultCrypto().sign('EdDSA', next.privateKey, encodeUtf8(statement)));
  const asAgent = anon.withCredentials({ agent: { did: agent.did, privateKey: agent.key.privateKey } });
  const rotated = await asAgent.agents.rotateKey(agent.did, { newPublicKey: next.publicKeyBase64!, newKeySignature });
  assert.equal(rotated.publicKey, next.publicKeyBase64);
  assert.equal((await refusal(asAgent.agents.releaseSlug(agent.did))).code, 'UNAUTHORIZED', 'the old key is gone');

  // registry reads on an authority without a registry yet, and refusals with their codes
  assert.ok(Array.isArray((await anon.registry.proposals({ limit: 5 })).proposals));
  assert.equal((await refusal(anon.registry.proposal('0'.repeat(64)))).code, 'NOT_FOUND');
  assert.equal((await refusal(admin.registry.refresh())).code, 'CONFLICT');
  const malformed = await refusal(anon.registry.propose({} as never));
  assert.equal(malformed.status, 400);
  const cosign = await refusal(
    anon.registry.cosign('0'.repeat(64), { issuerId: 'x', signature: 'ed25519:x', signedAt: new Date().toISOString() }),
  );
  assert.ok(cosign.status >= 400 && cosign.status < 500);
  assert.ok((await refusal(anon.registry.issuer('nobody'))).status >= 400);

  // integrators: metrics and key rotation; reputation rebuild
  const created = await admin.integrators.create({
    slug: 'client-shop',
    name: 'Client shop',
    domain: 'client.example',
    metrics: [{ metricKey: 'orders', polarity: 'boost', weight: 1, lane: 'presence' }],
  });
  const changed = await admin.integrators.setMetrics('client-shop', [
    { metricKey: 'orders', polarity: 'boost', weight: 2, lane: 'presence' },
  ]);
  assert.equal(changed.environmentVersion, 2);
  const rekeyed = await admin.integrators.rotateKey('client-shop');
  assert.notEqual(rekeyed.apiKey, created.apiKey);
  assert.equal((await admin.server.rebuildReputation({ dryRun: true })).consistent, true);

  // capability delegation from an admin-issued parent
  const capAgent = await live.registerAgent();
  const parent = await admin.capabilities.issue({
    agentId: capAgent.did,
    resource: 'files:*',
    action: 'read',
    tier: 'standard',
    expiresIn: 600,
  });
  const child = await anon.capabilities.delegate({ token: parent.token, resource: 'files:reports', expiresIn: 60 });
  const req = { token: child.token, agentId: capAgent.did, resource: 'files:reports', action: 'read' };
  assert.deepEqual(await anon.capabilities.intercept(req), { decision: 'allow' });
  const wider = await refusal(anon.capabilities.delegate({ token: child.token, resource: 'files:*' }));
  assert.deepEqual([wider.code, wider.status], ['DELEGATION_WIDER', 403]);
});
