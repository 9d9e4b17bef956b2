// Capability tokens in the SDK (issue 7): resource patterns, agent credentials against a governed registry, proofs,
// issuer revocation requests, and the offline decision function with every deny code it can reach by itself.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  CAPABILITY_DENY_CODES,
  actionCovers,
  checkCapability,
  decodeCapabilityToken,
  encodeBase64url,
  generateKeyPair,
  isResourcePattern,
  issuerKeyThumbprint,
  checkIssuer,
  parseScopeEntry,
  resourceCovers,
  scopeAllows,
  signAgentCredential,
  signCapabilityProof,
  signCapabilityToken,
  signRevocationRequest,
  verifyAgentCredential,
  verifyCapabilityProof,
  verifyRevocationRequest,
  type CapabilityClaims,
  type CheckCapabilityOptions,
  type GeneratedKeyPair,
  type KeyResolver,
} from '../src/index.ts';
import { capabilityFixture, type CapabilityFixture } from './capability-fixtures.ts';
import { governedRegistry, NOW, rejectsCode, type Governed } from './registry-fixtures.ts';

const now = NOW.getTime();
const sec = Math.floor(now / 1000);

describe('resource patterns', () => {
  test('grammar: seg(:seg)*, `*` only as the whole last segment', () => {
    for (const ok of ['payments', 'payments:invoices', 'payments:*', '*', 'a.b:c_d:e-f~g']) {
      assert.equal(isResourcePattern(ok), true, ok);
    }
    for (const bad of [
      '',
      'payments:',
      ':x',
      'a::b',
      'a:*:b',
      'a*',
      'a:b*',
      'a b',
      'ä',
      'a:'.repeat(16) + 'a',
      1,
      null,
    ]) {
      assert.equal(isResourcePattern(bad), false, String(bad));
    }
  });

  test('coverage: equality, or a `*` prefix with at least one more segment', () => {
    const cases: Array<[string, string, boolean]> = [
      ['payments:invoices', 'payments:invoices', true],
      ['payments:*', 'payments:invoices', true],
      ['payments:*', 'payments:invoices:42', true],
      ['payments:*', 'payments:invoices:*', true],
      ['payments:*', 'payments:*', true],
      ['payments:*', 'payments', false],
      ['payments:*', '*', false],
      ['payments:invoices', 'payments:*', false],
      ['payments:invoices', 'payments:invoices:42', false],
      ['*', 'anything:at:all', true],
      ['payments:*', 'paymentsx:a', false],
      ['a:*:b', 'a:x:b', false],
    ];
    for (const [outer, inner, expected] of cases)
      assert.equal(resourceCovers(outer, inner), expected, `${outer} ⊇ ${inner}`);
    assert.equal(actionCovers('*', 'read'), true);
    assert.equal(actionCovers('read', 'read'), true);
    assert.equal(actionCovers('read', '*'), false);
    assert.equal(actionCovers('read', 'write'), false);
  });

  test('scope entries are "<resource>:<action>"', () => {
    assert.deepEqual(parseScopeEntry('payments:invoices:read'), { resource: 'payments:invoices', action: 'read' });
    assert.deepEqual(parseScopeEntry('payments:*:*'), { resource: 'payments:*', action: '*' });
    assert.equal(parseScopeEntry('read'), undefined);
    assert.equal(parseScopeEntry('a:*:b:read'), undefined);
    assert.equal(scopeAllows(undefined, 'x', 'y'), true);
    assert.equal(scopeAllows(['payments:*:read'], 'payments:invoices', 'read'), true);
    assert.equal(scopeAllows(['payments:*:read'], 'payments:invoices', 'write'), false);
    assert.equal(scopeAllows(['payments:invoices:*'], 'payments:invoices', 'write'), true);
  });
});

describe('agent credentials against a governed registry', () => {
  let g: Governed;
  before(async () => {
    g = await governedRegistry();
  });
  const sign = (issuer: string, fields: Partial<Parameters<typeof signAgentCredential>[0]> = {}) =>
    signAgentCredential(
      { issuerId: issuer, agentId: 'agent:x', ttlSeconds: 3600, now, ...fields },
      g.orgs[issuer]!.privateKey,
    );

  test("an active issuer's credential verifies, with its key thumbprint and hash", async () => {
    const cred = await sign('alpha', { scope: ['payments:*:read'] });
    const v = await verifyAgentCredential(cred, {
      registry: g.doc,
      now,
      agentId: 'agent:x',
      resource: 'payments:invoices',
      action: 'read',
    });
    assert.equal(v.claims.iss, 'alpha');
    assert.equal(v.issuer.id, 'alpha');
    const found = checkIssuer(g.doc, 'alpha');
    assert.equal(found.status, 'active');
    if (found.status === 'active') assert.equal(v.issuerKeyThumbprint, await issuerKeyThumbprint(found.issuer));
    assert.match(v.hash, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(v.agentKey, undefined);
  });

  test('each refusal has its code', async () => {
    const opts = { registry: g.doc, now };
    await rejectsCode(async () => verifyAgentCredential(await sign('delta'), opts), 'ISSUER_REVOKED');
    await rejectsCode(async () => verifyAgentCredential(await sign('foxtrot'), opts), 'UNKNOWN_ISSUER');
    const claimsAlpha = await signAgentCredential(
      { issuerId: 'alpha', agentId: 'agent:x', ttlSeconds: 60, now },
      g.orgs.bravo!.privateKey,
    );
    await rejectsCode(() => verifyAgentCredential(claimsAlpha, opts), 'CREDENTIAL_INVALID');
    await rejectsCode(
      async () => verifyAgentCredential(await sign('alpha', { now: now - 7200_000 }), opts),
      'CREDENTIAL_EXPIRED',
    );
    await rejectsCode(
      async () => verifyAgentCredential(await sign('alpha'), { ...opts, agentId: 'agent:y' }),
      'SUBJECT_MISMATCH',
    );
    await rejectsCode(
      async () =>
        verifyAgentCredential(await sign('alpha', { scope: ['mail:*:read'] }), {
          ...opts,
          resource: 'payments:invoices',
          action: 'read',
        }),
      'SCOPE_VIOLATION',
    );
    const good = await sign('alpha');
    const [h, p, s] = good.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    for (const change of [{ sub: 'agent:y' }, { extra: true }, { scope: ['bad'] }, { exp: 1 }]) {
      const t = `${h}.${encodeBase64url(JSON.stringify({ ...payload, ...change }))}.${s}`;
      await rejectsCode(() => verifyAgentCredential(t, opts), 'CREDENTIAL_INVALID');
    }
    await rejectsCode(() => verifyAgentCredential(`${good}x`, opts), 'CREDENTIAL_INVALID');
    await rejectsCode(() => verifyAgentCredential('nope', opts), 'CREDENTIAL_INVALID');
  });

  test('cnf binds the agent key; its proof must be fresh and exact', async () => {
    const agent = await generateKeyPair('Ed25519');
    const v = await verifyAgentCredential(await sign('alpha', { agentKey: agent.publicKey }), { registry: g.doc, now });
    assert.ok(v.agentKey);
    const req = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };
    const proof = await signCapabilityProof(req, agent.privateKey, { now });
    assert.equal(await verifyCapabilityProof(proof, { agentKey: v.agentKey, ...req, now: now + 59_000 }), sec);
    await rejectsCode(
      () => verifyCapabilityProof(proof, { agentKey: v.agentKey!, ...req, now: now + 61_000 }),
      'PROOF_STALE',
    );
    await rejectsCode(
      () => verifyCapabilityProof(proof, { agentKey: v.agentKey!, ...req, action: 'write', now }),
      'PROOF_INVALID',
    );
    const other = await generateKeyPair('Ed25519');
    await rejectsCode(() => verifyCapabilityProof(proof, { agentKey: other.publicKey, ...req, now }), 'PROOF_INVALID');
  });

  test('issuer revocation requests', async () => {
    const r = await signRevocationRequest({ jti: 't1', issuerId: 'alpha' }, g.orgs.alpha!.privateKey, { now });
    assert.equal(await verifyRevocationRequest(r, { registry: g.doc, jti: 't1', now }), 'alpha');
    await rejectsCode(() => verifyRevocationRequest(r, { registry: g.doc, jti: 't2', now }), 'PROOF_INVALID');
    await rejectsCode(
      () => verifyRevocationRequest(r, { registry: g.doc, jti: 't1', now: now + 120_000 }),
      'PROOF_STALE',
    );
    const d = await signRevocationRequest({ jti: 't1', issuerId: 'delta' }, g.orgs.delta!.privateKey, { now });
    await rejectsCode(() => verifyRevocationRequest(d, { registry: g.doc, jti: 't1', now }), 'ISSUER_REVOKED');
    // allowStale skips the window only: the jti, the key and the issuer's standing are still checked.
    const late = { registry: g.doc, now: now + 120_000, allowStale: true };
    assert.equal(await verifyRevocationRequest(r, { ...late, jti: 't1' }), 'alpha');
    await rejectsCode(() => verifyRevocationRequest(r, { ...late, jti: 't2' }), 'PROOF_INVALID');
    await rejectsCode(() => verifyRevocationRequest(d, { ...late, jti: 't1' }), 'ISSUER_REVOKED');
    const forged = await signRevocationRequest({ jti: 't1', issuerId: 'alpha' }, g.orgs.bravo!.privateKey, { now });
    await rejectsCode(() => verifyRevocationRequest(forged, { ...late, jti: 't1' }), 'PROOF_INVALID');
  });
});

describe('checkCapability (offline)', () => {
  let g: Governed;
  let gateway: GeneratedKeyPair;
  let resolveKey: KeyResolver;
  let claims: CapabilityClaims;
  let token: CapabilityFixture['token'];
  before(async () => {
    ({ g, gateway, resolveKey, claims, token } = await capabilityFixture());
  });
  const req = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };

  test('allow, and the deny codes the token and the registry cause', async () => {
    const t = await token();
    const base: CheckCapabilityOptions = { resolveKey, now, registry: g.doc };
    assert.equal((await checkCapability(t, req, base)).decision, 'allow');
    assert.deepEqual(decodeCapabilityToken(t).claims, claims);
    const code = async (tok: unknown, r = req, o: Partial<CheckCapabilityOptions> = {}) => {
      const d = await checkCapability(tok, r, { ...base, ...o });
      return d.decision === 'deny' ? d.code : 'allow';
    };
    assert.equal(await code('junk'), 'MALFORMED_TOKEN');
    assert.equal(await code(42), 'MALFORMED_TOKEN');
    assert.equal(await code(t, req, { resolveKey: () => undefined }), 'INVALID_SIGNATURE');
    assert.equal(await code(t, req, { now: now + 600_000 }), 'TOKEN_EXPIRED');
    assert.equal(await code(t, { ...req, agentId: 'agent:y' }), 'SUBJECT_MISMATCH');
    assert.equal(await code(t, { ...req, resource: 'mail:x' }), 'RESOURCE_MISMATCH');
    assert.equal(await code(t, { ...req, action: 'write' }), 'ACTION_MISMATCH');
    const seen: string[][] = [];
    const revokedRoot = async (jtis: readonly string[]) => (seen.push([...jtis]), jtis.includes('root'));
    assert.equal(
      await code(await token({ jti: 'child', par: ['root'] }), req, { isRevoked: revokedRoot }),
      'TOKEN_REVOKED',
    );
    assert.deepEqual(seen, [['root', 'child']]);
    assert.equal(await code(t, req, { isAgentRevoked: async () => true }), 'AGENT_REVOKED');
    // One lookup for both answers gets the verified claims and replaces the two hooks.
    const asked: string[] = [];
    const status = (revoked: boolean, agentRevoked: boolean) => async (c: { jti: string; par: string[] }) => (
      asked.push([...c.par, c.jti].join('/')),
      { revoked, agentRevoked }
    );
    const child = await token({ jti: 'child', par: ['root'] });
    assert.equal(await code(child, req, { revocationStatus: status(true, false) }), 'TOKEN_REVOKED');
    assert.equal(await code(t, req, { revocationStatus: status(false, true) }), 'AGENT_REVOKED');
    const hooks = { isRevoked: async () => true, isAgentRevoked: async () => true };
    assert.equal(await code(t, req, { ...hooks, revocationStatus: status(false, false) }), 'allow');
    assert.deepEqual(asked, ['root/child', claims.jti, claims.jti]);
    assert.equal(await code(t, req, { registry: undefined }), 'REGISTRY_UNAVAILABLE');
    assert.equal(await code(t, req, { registry: async () => undefined }), 'REGISTRY_UNAVAILABLE');
    assert.equal(await code(await token({ iid: 'foxtrot' })), 'UNKNOWN_ISSUER');
    assert.equal(await code(await token({ iid: 'delta' })), 'ISSUER_REVOKED');
    assert.equal(await code(await token({ ikt: 'x'.repeat(43) })), 'ISSUER_KEY_ROTATED');
    // An admin token (no binding) never consults the registry.
    const adminToken = await token({ iid: null, cth: null, ikt: null });
    assert.equal(await code(adminToken, req, { registry: undefined }), 'allow');
    // A lifetime longer than the tier allows was not signed by a gateway (a leaked key): denied before expiry.
    const long = await token({ exp: claims.iat + 3601 });
    assert.equal(await code(long), 'TOKEN_LIFETIME_EXCEEDED');
    assert.equal(await code(long, req, { now: now + 7200_000 }), 'TOKEN_LIFETIME_EXCEEDED');
    assert.equal(await code(long, req, { clockSkewSeconds: 1 }), 'allow');
    assert.equal(await code(await token({ exp: claims.iat + 3600 })), 'allow');
    assert.equal(await code(await token({ tier: 'critical', exp: claims.iat + 301 })), 'TOKEN_LIFETIME_EXCEEDED');
    // A verifier that keeps the gateway's record denies a token not on it, before its revocation.
    const standing = (recorded: boolean | undefined) => async () => ({ revoked: true, agentRevoked: false, recorded });
    assert.equal(await code(t, req, { revocationStatus: standing(false) }), 'TOKEN_UNKNOWN');
    assert.equal(await code(t, req, { revocationStatus: standing(true) }), 'TOKEN_REVOKED');
    assert.equal(await code(t, req, { revocationStatus: standing(undefined) }), 'TOKEN_REVOKED');
    assert.deepEqual(CAPABILITY_DENY_CODES.slice(0, 4), [
      'MALFORMED_TOKEN',
      'INVALID_SIGNATURE',
      'TOKEN_LIFETIME_EXCEEDED',
      'TOKEN_EXPIRED',
    ]);
    assert.equal(CAPABILITY_DENY_CODES.indexOf('TOKEN_UNKNOWN'), CAPABILITY_DENY_CODES.indexOf('TOKEN_REVOKED') - 1);
    assert.equal(CAPABILITY_DENY_CODES.length, 14);
  });

  test('signCapabilityToken refuses claims that are not exactly the eleven members', async () => {
    await rejectsCode(() => token({ res: 'a:*:b' }), 'INVALID_ARGUMENT');
    await rejectsCode(() => token({ iid: null }), 'INVALID_ARGUMENT');
    await rejectsCode(() => token({ exp: sec }), 'INVALID_ARGUMENT');
    await rejectsCode(
      () => signCapabilityToken({ ...claims, extra: 1 } as CapabilityClaims, gateway.privateKey, { kid: 'k' }),
      'INVALID_ARGUMENT',
    );
  });
});
