// The verifier helpers work offline from documents fetched once from a real listening server: the cache goes
// through JSON (as if stored on disk) before any check, and nothing is fetched afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createAgentIdentity,
  createOfflineVerifier,
  draftIssuerEntry,
  fetchVerifierCache,
  generateKeyPair,
  verifyToolManifest,
  verifyToken,
  verifyTrustRegistry,
  VouchClient,
} from '../src/index.ts';
import type { ToolManifest, VerifierCache } from '../src/index.ts';
import { ADMIN_KEY, startLiveServer, T0 } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

let live: LiveServer;
let anon: VouchClient;
let admin: VouchClient;

before(async () => {
  live = await startLiveServer();
  anon = new VouchClient({ baseUrl: live.url, now: () => live.clock.now() });
  admin = anon.withCredentials({ adminKey: ADMIN_KEY });
});
after(() => live.close());

/** Fetches the cache and passes it through JSON, as a verifier that stored it would read it back. */
async function storedCache(signatures: string[] = []): Promise<VerifierCache> {
  return JSON.parse(JSON.stringify(await fetchVerifierCache(anon, { signatures }))) as VerifierCache;
}

test('verifyToolManifest: the server-signed manifest verifies; tampering, unknown or wrong-purpose keys do not', async () => {
  const key = await generateKeyPair('Ed25519');
  const reg = await anon.identity.register({ slug: 'manifest-bot', public_key_pem: key.publicKeyRegistry! });
  const mgmt = anon.withCredentials({ managementToken: reg.management_token });
  await mgmt.identity.setTools('manifest-bot', {
    tools: ['search', 'read_file'],
    tool_descriptions: { search: 'web' },
  });
  const manifest = await anon.identity.getTools('manifest-bot');
  const cache = await storedCache();

  const ok = await verifyToolManifest(manifest, cache);
  assert.deepEqual(ok, {
    valid: true,
    did: reg.did,
    slug: 'manifest-bot',
    tools: ['read_file', 'search'],
    kid: manifest.signature_kid,
  });
  const more = { ...manifest, tools: ['read_file', 'search', 'shell'] };
  const tampered = await verifyToolManifest(more, cache);
  assert.deepEqual(tampered, { ...tampered, valid: false, code: 'MANIFEST_HASH_MISMATCH' });
  const slugSwap = { ...manifest, agent_slug: 'other-bot' };
  assert.equal(((await verifyToolManifest(slugSwap, cache)) as { code: string }).code, 'MANIFEST_SIGNATURE_INVALID');
  const noKey = { ...cache, vouchKeys: { keys: [] } };
  assert.equal(((await verifyToolManifest(manifest, noKey)) as { code: string }).code, 'MANIFEST_KEY_UNKNOWN');
  const otherPurpose = { vouchKeys: { keys: cache.vouchKeys.keys.map((k) => ({ ...k, purpose: 'capability' })) } };
  assert.equal(((await verifyToolManifest(manifest, otherPurpose)) as { code: string }).code, 'MANIFEST_KEY_UNKNOWN');
  assert.equal(
    ((await verifyToolManifest({ ...manifest, tools: 'x' } as unknown as ToolManifest, cache)) as { code: string })
      .code,
    'MANIFEST_INVALID',
  );
  // a slug change re-signs: the new manifest verifies, the old copy still does (same key, its own statement)
  await mgmt.agents.setSlug(reg.did, 'manifest-bot-2');
  assert.equal((await verifyToolManifest(await anon.identity.getTools(reg.did), cache)).valid, true);
});

test('verifyToken: offline verdicts from the cached discovery document and revocation list', async () => {
  const agent = await live.registerAgent();
  const a = await live.issue(agent.did);
  const b = await live.issue(agent.did, { token_type: 'session', audience: 'shop', nonce: 'n1' });
  await admin.tokens.revoke({ jti: b.jti });
  const cache = await storedCache();
  const now = live.clock.now();
  assert.equal((await verifyToken(a.token, cache, { now })).valid, true);
  assert.deepEqual(await verifyToken(b.token, cache, { now }), {
    valid: false,
    code: 'TOKEN_REVOKED',
    error: 'The token has been revoked.',
  });
  const later = await verifyToken(a.token, cache, { now: now + 25 * 3600_000 });
  assert.equal((later as { code: string }).code, 'JWT_EXPIRED');
  const forged = a.token.slice(0, -4) + (a.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  assert.equal((await verifyToken(forged, cache, { now })).valid, false);
  // another server's discovery document pins another issuer
  const foreign = { ...cache, discovery: { ...cache.discovery, issuer: 'https://elsewhere.example' } };
  assert.equal(((await verifyToken(a.token, foreign, { now })) as { code: string }).code, 'JWT_ISSUER_MISMATCH');
  // a revocation after the cache was fetched is invisible until the cache is refreshed
  await admin.tokens.revoke({ jti: a.jti });
  assert.equal((await verifyToken(a.token, cache, { now })).valid, true);
  assert.equal(((await verifyToken(a.token, await storedCache(), { now })) as { code: string }).code, 'TOKEN_REVOKED');
});

test('verifyTrustRegistry and the offline verifier: pinned root key, wrong key, malformed or missing document', async () => {
  const verifierBefore = createOfflineVerifier(await storedCache(), { rootKey: 'ed25519:' + 'A'.repeat(43) });
  const none = await verifierBefore.verifyRegistry();
  assert.equal(none.valid, false);

  const issuers = [];
  for (const id of ['north', 'south', 'east']) {
    const k = await generateKeyPair('Ed25519');
    issuers.push(
      draftIssuerEntry({
        id,
        publicKey: k.publicKeyRegistry!,
        endpoint: `https://credentials.${id}.example`,
        name: `${id} Inc.`,
        contact: `trust@${id}.example`,
        registeredAt: new Date(T0),
      }),
    );
  }
  await admin.registry.genesis({ issuers, threshold: 2 });
  const rootKey = (await anon.registry.summary()).rootKey as string;
  const cache = await storedCache();
  const now = live.clock.now();
  const ok = await verifyTrustRegistry(cache.trustRegistry, { rootKey, now });
  assert.equal(ok.valid, true, JSON.stringify(ok));
  if (ok.valid) assert.deepEqual(ok.document.issuers.map((i) => i.id).sort(), ['east', 'north', 'south']);
  const otherRoot = (await generateKeyPair('Ed25519')).publicKeyRegistry!;
  const wrong = await verifyTrustRegistry(cache.trustRegistry, { rootKey: otherRoot, now });
  assert.equal((wrong as { code: string }).code, 'REGISTRY_SIGNATURE_INVALID');
  const malformed = await verifyTrustRegistry({ registry: 'x' }, { rootKey, now });
  assert.equal((malformed as { code: string }).code, 'REGISTRY_INVALID');
  assert.equal(
    ((await verifyTrustRegistry(undefined, { rootKey, now })) as { code: string }).code,
    'REGISTRY_UNAVAILABLE',
  );
  const expired = await verifyTrustRegistry(cache.trustRegistry, { rootKey, now: now + 365 * 86_400_000 });
  assert.equal((expired as { code: string }).code, 'REGISTRY_EXPIRED');

  const v = createOfflineVerifier(cache, { rootKey, now: () => now });
  assert.equal((await v.verifyRegistry()).valid, true);
  const noRoot = createOfflineVerifier(cache);
  assert.equal(((await noRoot.verifyRegistry()) as { code: string }).code, 'INVALID_ARGUMENT');
});

test('verifyContent through the offline verifier: cached signature records only', async () => {
  const { agent } = await createAgentIdentity(anon, { difficulty: 0 });
  const signed = await agent.signContent(new TextEncoder().encode('file bytes'));
  const cache = await storedCache([signed.signatureHash]);
  const v = createOfflineVerifier(cache, { now: () => live.clock.now() });
  assert.equal((await v.verifyContent(signed.signatureHash, 'file bytes')).valid, true);
  assert.equal(
    ((await v.verifyContent(signed.signatureHash, 'file bytez')) as { code: string }).code,
    'CONTENT_MISMATCH',
  );
  assert.equal(((await v.verifyContent('0'.repeat(64), 'file bytes')) as { code: string }).code, 'NOT_FOUND');
  // a record whose signer key (and agent key) is not the signer's
  const record = cache.signatures[signed.signatureHash]!;
  const stranger = (await generateKeyPair('Ed25519')).publicKeyBase64!;
  const swapped = createOfflineVerifier({
    ...cache,
    signatures: {
      [signed.signatureHash]: {
        ...record,
        signerPublicKey: stranger,
        agent: { ...record.agent, publicKey: stranger },
      },
    },
  });
  assert.equal(
    ((await swapped.verifyContent(signed.signatureHash, 'file bytes')) as { code: string }).code,
    'SIGNATURE_INVALID',
  );
});
