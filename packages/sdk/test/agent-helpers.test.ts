// The agent helpers end to end against a real listening server (proof of work on): an identity created with progress,
// signed content checked online and offline, consent gating an integrator's events, a signed report, self-issued
// tokens, and capability tokens from the admin and from a registry issuer's credential.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPow,
  createAgentIdentity,
  createOfflineVerifier,
  fetchVerifierCache,
  signAgentCredential,
  verifyCapability,
  verifyContent,
  verifyToken,
  VouchApiError,
  VouchClient,
  VouchError,
} from '../src/index.ts';
import type { CreatedAgent, VouchAgent } from '../src/index.ts';
import { ADMIN_KEY, genesisThreeIssuers, startLiveServer, T0 } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

const DIFFICULTY = 3;
let live: LiveServer;
let anon: VouchClient;
let admin: VouchClient;

before(async () => {
  live = await startLiveServer({ VOUCH_POW_DIFFICULTY: String(DIFFICULTY) });
  anon = new VouchClient({ baseUrl: live.url, now: () => live.clock.now() });
  admin = anon.withCredentials({ adminKey: ADMIN_KEY });
});
after(() => live.close());

async function newAgent(client = anon): Promise<VouchAgent> {
  return (await createAgentIdentity(client, { difficulty: DIFFICULTY })).agent;
}

test('createAgentIdentity: fresh key, proof of work with progress, registration', async () => {
  const progress: number[] = [];
  const created = await createAgentIdentity(anon, {
    label: 'helper-bot',
    difficulty: DIFFICULTY,
    onProgress: (n) => progress.push(n),
  });
  assert.match(created.did, /^did:identity:[a-z2-7]{26}$/);
  assert.match(created.claimToken!, /^vouch_claim_/);
  assert.equal(created.linked, false);
  // solvePow reports after every full batch of 4096 hashes without a solution
  assert.equal(progress.length, Math.floor((created.powAttempts - 1) / 4096));
  assert.deepEqual(
    progress,
    progress.map((_, i) => (i + 1) * 4096),
  );
  assert.equal(created.agent.did, created.did);
  const profile = await anon.identity.get(created.did);
  assert.equal(profile.did, created.did);
  // too little work for this server: refused, unless the zero nonce happened to do the work (1 key in 4096)
  const weak = await createAgentIdentity(anon, { difficulty: 0 }).catch((e: unknown) => e);
  if (weak instanceof VouchApiError) assert.equal(weak.code, 'POW_INVALID');
  else assert.ok(checkPow((weak as CreatedAgent).agent.publicKeyBase64, '0', DIFFICULTY), 'too little work accepted');
});

test('signContent: recorded, verified by the server and offline; other content does not match', async () => {
  const agent = await newAgent();
  const signed = await agent.signContent('hello, world', { publicNote: 'greeting' });
  assert.match(signed.signatureHash, /^[0-9a-f]{64}$/);
  const record = await anon.signatures.verify(signed.signatureHash);
  assert.equal(record.agent.did, agent.did);
  assert.equal(record.payloadHash, signed.payloadHash);
  assert.equal(record.publicNote, 'greeting');
  const ok = await verifyContent(signed.signatureHash, 'hello, world', { record });
  assert.equal(ok.valid, true, JSON.stringify(ok));
  const other = await verifyContent(signed.signatureHash, 'hello, world!', { record });
  assert.deepEqual(other, { ...other, valid: false, code: 'CONTENT_MISMATCH', match: false });
  const tampered = await verifyContent(signed.signatureHash, 'hello, world', { record: { ...record, signedAt: 1 } });
  assert.deepEqual(tampered, { ...tampered, valid: false, code: 'RECORD_MISMATCH' });
  const certified = await anon.signatures.certify({
    signatureHash: signed.signatureHash,
    contentHash: signed.payloadHash,
  });
  assert.equal(certified.match, true);
  // the same submission again is the same record (the client may retry it)
  const again = await agent.signPayloadHash(signed.payloadHash, { signedAt: signed.signedAt, publicNote: 'greeting' });
  assert.equal(again.signatureHash, signed.signatureHash);
  // a revoked agent signs no more
  await agent.revoke('retired');
  await assert.rejects(
    agent.signContent('more'),
    (e: unknown) => e instanceof VouchApiError && e.code === 'AGENT_REVOKED',
  );
});

test('grantConsent / revokeConsent gate an integrator: ingestion, resolve, disclosure', async () => {
  const integrator = await admin.integrators.create({
    slug: 'helper-shop',
    name: 'Helper shop',
    domain: 'shop.example',
    metrics: [{ metricKey: 'tasks_completed', polarity: 'boost', weight: 2, lane: 'conduct' }],
  });
  const shop = anon.withCredentials({ integratorKey: integrator.apiKey });
  const agent = await newAgent();
  const event = (id: string) => ({
    envId: 'helper-shop.production.v1',
    externalEventId: id,
    eventType: 'task.completed',
    subjectType: 'agent',
    subjectId: agent.did,
    actorType: 'system',
    actorId: 'sys:test',
    occurredAt: live.clock.now(),
    metricValues: [{ metricKey: 'tasks_completed', numberValue: 1 }],
  });
  const before = await shop.integrators.ingest(event('e0'));
  assert.equal(before.results[0]!.inserted, false, 'no consent yet');

  const granted = await agent.grantConsent('helper-shop');
  assert.deepEqual(granted, { ...granted, did: agent.did, integratorSlug: 'helper-shop', status: 'allowed' });
  const batch = await shop.integrators.ingest([event('e1'), event('e2')]);
  assert.deepEqual(
    batch.results.map((r) => r.inserted),
    [true, true],
  );
  const replay = await shop.integrators.ingest([event('e1'), event('e2')]);
  assert.deepEqual(
    replay.results.map((r) => r.inserted),
    [false, false],
    'a replayed batch inserts nothing',
  );
  const resolved = await shop.agents.resolve(agent.did);
  assert.ok(resolved.integratorScore !== undefined, JSON.stringify(resolved));
  const disclosure = await anon.integrators.disclosure('helper-shop');
  assert.equal((disclosure.integrator as { slug: string }).slug, 'helper-shop');

  live.clock.advance(1000);
  const revoked = await agent.revokeConsent('helper-shop');
  assert.equal(revoked.status, 'revoked');
  assert.equal((await shop.integrators.ingest(event('e3'))).results[0]!.inserted, false);
  assert.ok((await admin.integrators.list()).integrators.some((i) => i.slug === 'helper-shop'));
});

test('grantConsent, revokeConsent, grantConsent in one millisecond end as called', async () => {
  await admin.integrators.create({ slug: 'same-ms-shop', name: 'Same ms', domain: 'shop.example', metrics: [] });
  const agent = await newAgent();
  // The pinned clock does not move between the two calls: both are signed at the same signedAt.
  assert.equal((await agent.grantConsent('same-ms-shop')).status, 'allowed');
  const revoked = await agent.revokeConsent('same-ms-shop');
  assert.equal(revoked.status, 'revoked');
  // And back: the agent dates each consent after its previous one, so the allow is not one of the revoke's millisecond.
  const again = await agent.grantConsent('same-ms-shop');
  assert.equal(again.status, 'allowed');
  assert.ok(again.signedAt > revoked.signedAt);
});

test('report: a signed report by one agent about another', async () => {
  const target = await newAgent();
  const reporter = await newAgent();
  const receipt = await reporter.report(target.did, 'spam', { details: 'junk' });
  assert.equal(typeof receipt, 'object');
  await assert.rejects(
    target.report(target.did, 'spam'),
    (e: unknown) => e instanceof VouchApiError && e.status === 400,
  );
  // The signature covers the target's DID: a slug or id could never verify, so it is refused before signing.
  for (const notDid of ['some-slug', target.did.slice('did:'.length), '']) {
    await assert.rejects(
      reporter.report(notDid, 'spam'),
      (e: unknown) => e instanceof VouchError && !(e instanceof VouchApiError) && e.code === 'INVALID_ARGUMENT',
      notDid,
    );
  }
});

test('requestToken: self-issued identity and session tokens, verified online and offline', async () => {
  const agent = await newAgent();
  const identity = await agent.requestToken();
  assert.equal(identity.token_type, 'identity');
  const session = await agent.requestToken({ audience: 'shop.example', nonce: 'n-1', expiresIn: '1h' });
  assert.equal(session.token_type, 'session');
  assert.equal((await anon.tokens.verify({ token: identity.token })).valid, true);
  const cache = await fetchVerifierCache(anon);
  const offline = await verifyToken(session.token, cache, {
    now: live.clock.now(),
    audience: 'shop.example',
    nonce: 'n-1',
  });
  assert.equal(offline.valid, true, JSON.stringify(offline));
  const wrong = await verifyToken(session.token, cache, { now: live.clock.now(), audience: 'bank.example' });
  assert.deepEqual(wrong, { ...wrong, valid: false, code: 'JWT_AUDIENCE_MISMATCH' });
});

test('requestCapability: from the admin key, and from a registry issuer credential with proof of possession', async () => {
  // admin-authorized: the agent's client carries the admin key
  const agent = await newAgent(admin);
  const request = { agentId: agent.did, resource: 'payments:invoices', action: 'read' };
  const issued = await agent.requestCapability({
    resource: 'payments:invoices',
    action: 'read',
    tier: 'standard',
    expiresIn: 300,
  });
  assert.deepEqual(await anon.capabilities.intercept({ token: issued.token, ...request }), { decision: 'allow' });
  const cache = await fetchVerifierCache(anon);
  const now = live.clock.now();
  assert.equal((await verifyCapability(issued.token, request, cache, { now })).decision, 'allow');
  const denied = await verifyCapability(issued.token, { ...request, action: 'write' }, cache, { now });
  assert.deepEqual(denied, { ...denied, decision: 'deny', code: 'ACTION_MISMATCH' });

  // issuer-bound: a three-issuer registry; issuer alpha gives the agent a credential bound to its key
  const keys = await genesisThreeIssuers(admin, new Date(T0));
  const bound = await newAgent();
  const credential = await signAgentCredential(
    {
      issuerId: 'alpha',
      agentId: bound.did,
      scope: ['payments:*:read'],
      agentKey: bound.privateKey.publicKey,
      ttlSeconds: 3600,
      now: live.clock.now(),
    },
    keys.alpha!.privateKey,
  );
  const binding = { issuerId: 'alpha', agentCredential: credential };
  const token = await bound.requestCapability({
    resource: 'payments:invoices',
    action: 'read',
    tier: 'elevated',
    expiresIn: 300,
    issuerBinding: binding,
  });
  const req2 = { agentId: bound.did, resource: 'payments:invoices', action: 'read' };
  assert.deepEqual(await anon.capabilities.intercept({ token: token.token, ...req2 }), { decision: 'allow' });
  const noProof = await bound
    .requestCapability({
      resource: 'payments:invoices',
      action: 'read',
      tier: 'standard',
      expiresIn: 60,
      issuerBinding: binding,
      proof: false,
    })
    .catch((e: unknown) => e);
  assert.ok(noProof instanceof VouchApiError && noProof.status >= 400 && noProof.status < 500, String(noProof));

  const summary = await anon.registry.summary();
  const verifier = createOfflineVerifier(await fetchVerifierCache(anon), {
    rootKey: summary.rootKey as string,
    now: () => live.clock.now(),
  });
  assert.equal((await verifier.verifyRegistry()).valid, true);
  const cred = await verifier.verifyAgentCredential(credential, {
    agentId: bound.did,
    ...{ resource: 'payments:invoices', action: 'read' },
  });
  assert.equal(cred.valid, true, JSON.stringify(cred));
  const scope = await verifier.verifyAgentCredential(credential, {
    agentId: bound.did,
    resource: 'payments:invoices',
    action: 'write',
  });
  assert.deepEqual(scope, { ...scope, valid: false, code: 'SCOPE_VIOLATION' });
  assert.equal((await verifier.verifyCapability(token.token, req2)).decision, 'allow');
  // batch intercept and revocation through the client
  const batch = await anon.capabilities.interceptBatch([
    { token: token.token, ...req2 },
    { token: token.token, ...req2, action: 'write' },
  ]);
  assert.deepEqual(
    batch.results.map((r) => r.decision),
    ['allow', 'deny'],
  );
  const revoked = await admin.capabilities.revoke({ tokenId: token.tokenId, reason: 'test' });
  assert.equal(revoked.revoked, true);
  const after = await anon.capabilities.intercept({ token: token.token, ...req2 });
  assert.deepEqual(after, { ...after, decision: 'deny', code: 'TOKEN_REVOKED' });
});
