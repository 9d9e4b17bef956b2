// checkCapability and verifyAgentCredential take the same signature cache as the token verifiers: a capability token
// or credential presented again skips only its signature check. The provider counts verifications; every other
// deny still happens on a remembered token, and another key or a bad signature is never answered from the cache.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  checkCapability,
  createSignatureCache,
  encodeBase64url,
  generateKeyPair,
  signAgentCredential,
  verifyAgentCredential,
  type CheckCapabilityOptions,
  type SignatureCache,
} from '../src/index.ts';
import { capabilityFixture, type CapabilityFixture } from './capability-fixtures.ts';
import { countingProvider, YES_CACHE } from './providers.ts';
import { governedRegistry, NOW, rejectsCode, type Governed } from './registry-fixtures.ts';

const now = NOW.getTime();
const req = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };

describe('checkCapability with a signature cache', () => {
  let g: Governed;
  let resolveKey: CapabilityFixture['resolveKey'];
  let token: CapabilityFixture['token'];
  before(async () => {
    ({ g, resolveKey, token } = await capabilityFixture());
  });

  function setup() {
    const { crypto, verifications } = countingProvider();
    const signatureCache = createSignatureCache();
    const options: CheckCapabilityOptions = {
      resolveKey,
      now,
      registry: g.doc,
      crypto,
      signatureCache,
    };
    const decide = async (t: unknown, o: Partial<CheckCapabilityOptions> = {}, r = req) => {
      const d = await checkCapability(t, r, { ...options, ...o });
      return d.decision === 'deny' ? d.code : 'allow';
    };
    return { verifications, signatureCache, options, decide };
  }

  test('kept from its second presentation; every other deny still happens on it', async () => {
    const { verifications, signatureCache, decide } = setup();
    const t = await token();
    for (let i = 0; i < 3; i++) assert.equal(await decide(t), 'allow');
    assert.equal(verifications(), 2);
    assert.deepEqual(signatureCache.stats(), { hits: 1, misses: 2, size: 1 });
    assert.equal(await decide(t, { now: now + 600_000 }), 'TOKEN_EXPIRED');
    assert.equal(await decide(t, {}, { ...req, agentId: 'agent:y' }), 'SUBJECT_MISMATCH');
    assert.equal(await decide(t, {}, { ...req, resource: 'mail:x' }), 'RESOURCE_MISMATCH');
    assert.equal(await decide(t, {}, { ...req, action: 'write' }), 'ACTION_MISMATCH');
    assert.equal(await decide(t, { isRevoked: async (jtis) => jtis.includes('root') }), 'TOKEN_REVOKED');
    assert.equal(await decide(t, { isAgentRevoked: async () => true }), 'AGENT_REVOKED');
    assert.equal(await decide(t, { registry: undefined }), 'REGISTRY_UNAVAILABLE');
    // A token bound to delta with alpha's key thumbprint: while delta is active (document 3) the thumbprint is
    // not its key's, and in the final document delta is removed; its good signature, remembered, changes neither.
    const delta = await token({ iid: 'delta' });
    for (let i = 0; i < 3; i++) assert.equal(await decide(delta, { registry: g.docs[3] }), 'ISSUER_KEY_ROTATED');
    assert.equal(await decide(delta), 'ISSUER_REVOKED');
    assert.equal(verifications(), 4, 'every deny after the signature came from a remembered one');
    assert.equal(await decide(t, { resolveKey: () => undefined }), 'INVALID_SIGNATURE');
  });

  test('another key under the same kid is checked again, and denied', async () => {
    const { verifications, decide } = setup();
    const t = await token();
    for (let i = 0; i < 3; i++) assert.equal(await decide(t), 'allow');
    const other = await generateKeyPair('Ed25519');
    assert.equal(await decide(t, { resolveKey: () => other.publicKey }), 'INVALID_SIGNATURE');
    assert.equal(verifications(), 3);
  });

  test('a bad signature is never remembered', async () => {
    const { verifications, signatureCache, decide } = setup();
    const t = await token();
    const forged = `${t.slice(0, t.lastIndexOf('.'))}.${encodeBase64url(new Uint8Array(64).fill(7))}`;
    for (let i = 0; i < 4; i++) assert.equal(await decide(forged), 'INVALID_SIGNATURE');
    assert.equal(verifications(), 4);
    assert.deepEqual(signatureCache.stats(), { hits: 0, misses: 4, size: 0 });
  });

  test('only a cache from createSignatureCache is taken', async () => {
    const { options } = setup();
    const yes = YES_CACHE as SignatureCache;
    const t = await token();
    const forged = `${t.slice(0, t.lastIndexOf('.'))}.${encodeBase64url(new Uint8Array(64).fill(7))}`;
    await rejectsCode(() => checkCapability(forged, req, { ...options, signatureCache: yes }), 'INVALID_ARGUMENT');
    await rejectsCode(() => checkCapability('junk', req, { ...options, signatureCache: yes }), 'INVALID_ARGUMENT');
  });
});

describe('verifyAgentCredential with a signature cache', () => {
  let g: Governed;
  before(async () => {
    g = await governedRegistry();
  });

  test("kept from its second presentation, checked against the issuer's standing every time", async () => {
    const { crypto, verifications } = countingProvider();
    const signatureCache = createSignatureCache();
    const credential = await signAgentCredential(
      { issuerId: 'delta', agentId: 'agent:x', ttlSeconds: 3600, now },
      g.orgs.delta!.privateKey,
    );
    // delta is active until step 4 of the governed registry, and removed from then on.
    const opts = { registry: g.docs[3]!, now, crypto, signatureCache };
    for (let i = 0; i < 3; i++) assert.equal((await verifyAgentCredential(credential, opts)).claims.iss, 'delta');
    assert.equal(verifications(), 2);
    assert.deepEqual(signatureCache.stats(), { hits: 1, misses: 2, size: 1 });
    await rejectsCode(() => verifyAgentCredential(credential, { ...opts, registry: g.doc }), 'ISSUER_REVOKED');
    await rejectsCode(() => verifyAgentCredential(credential, { ...opts, now: now + 7200_000 }), 'CREDENTIAL_EXPIRED');
    await rejectsCode(() => verifyAgentCredential(credential, { ...opts, agentId: 'agent:y' }), 'SUBJECT_MISMATCH');
    assert.equal(verifications(), 2, 'the refusals after the signature came from the remembered one');
    const forged = `${credential.slice(0, credential.lastIndexOf('.'))}.${encodeBase64url(new Uint8Array(64))}`;
    for (let i = 0; i < 3; i++) await rejectsCode(() => verifyAgentCredential(forged, opts), 'CREDENTIAL_INVALID');
    assert.equal(verifications(), 5);
  });
});
