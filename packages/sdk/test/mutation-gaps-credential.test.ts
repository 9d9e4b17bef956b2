// Agent-credential, proof-of-possession and revocation-request checks that no other test could notice being broken
// (found by mutation testing): each case below fails if its check is dropped or weakened.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  AGENT_CREDENTIAL_TYP,
  CAPABILITY_PROOF_TYP,
  CAPABILITY_REVOCATION_TYP,
  encodeBase64url,
  generateKeyPair,
  getDefaultCrypto,
  MAX_TOKEN_LENGTH,
  signAgentCredential,
  signCapabilityProof,
  signRevocationRequest,
  verifyAgentCredential,
  verifyCapabilityProof,
  verifyRevocationRequest,
  type PrivateKey,
} from '../src/index.ts';
import { governedRegistry, NOW, rejectsCode, type Governed } from './registry-fixtures.ts';

const now = NOW.getTime();
const sec = Math.floor(now / 1000);

let g: Governed;
before(async () => {
  g = await governedRegistry();
});

/** A credential signed by `key` over any header kid and payload, without signAgentCredential's checks. */
async function rawCredential(
  kid: string,
  payload: Record<string, unknown>,
  key: PrivateKey,
  extraHeader: Record<string, unknown> = {},
): Promise<string> {
  const header = { alg: 'EdDSA', typ: AGENT_CREDENTIAL_TYP, kid, ...extraHeader };
  const input = `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(JSON.stringify(payload))}`;
  const sig = await getDefaultCrypto().sign('EdDSA', key, new TextEncoder().encode(input));
  return `${input}.${encodeBase64url(sig)}`;
}

describe('agent credentials: checks found untested by mutation', () => {
  const sign = (fields: Partial<Parameters<typeof signAgentCredential>[0]> = {}) =>
    signAgentCredential(
      { issuerId: 'alpha', agentId: 'agent:x', ttlSeconds: 3600, now, ...fields },
      g.orgs.alpha!.privateKey,
    );

  test('expiry allows exactly the skew (60 s): valid until exp + 60 s, expired from then on', async () => {
    const cred = await sign();
    const opts = { registry: g.doc };
    await verifyAgentCredential(cred, { ...opts, now: now + 3659_000 });
    await rejectsCode(() => verifyAgentCredential(cred, { ...opts, now: now + 3660_000 }), 'CREDENTIAL_EXPIRED');
    await verifyAgentCredential(cred, { ...opts, now: now + 3599_000, clockSkewSeconds: 0 });
    await rejectsCode(
      () => verifyAgentCredential(cred, { ...opts, now: now + 3600_000, clockSkewSeconds: 0 }),
      'CREDENTIAL_EXPIRED',
    );
  });

  test('a credential issued in the future (beyond the skew) is refused', async () => {
    const postdated = await sign({ now: now + 3600_000 }); // iat one hour ahead, exp two hours ahead
    await rejectsCode(() => verifyAgentCredential(postdated, { registry: g.doc, now }), 'CREDENTIAL_INVALID');
    await verifyAgentCredential(postdated, { registry: g.doc, now: now + 3600_000 });
    const justAhead = await sign({ now: now + 60_000 });
    await verifyAgentCredential(justAhead, { registry: g.doc, now });
    const tooFar = await sign({ now: now + 61_000 });
    await rejectsCode(() => verifyAgentCredential(tooFar, { registry: g.doc, now }), 'CREDENTIAL_INVALID');
  });

  test('the header kid must be the issuer iss', async () => {
    const claims = { iss: 'alpha', sub: 'agent:x', iat: sec, exp: sec + 600 };
    const ok = await rawCredential('alpha', claims, g.orgs.alpha!.privateKey);
    assert.equal((await verifyAgentCredential(ok, { registry: g.doc, now })).issuer.id, 'alpha');
    // Signed by alpha, but the header names bravo: a verifier that routes by kid would disagree with one by iss.
    const mixed = await rawCredential('bravo', claims, g.orgs.alpha!.privateKey);
    await rejectsCode(() => verifyAgentCredential(mixed, { registry: g.doc, now }), 'CREDENTIAL_INVALID');
  });

  test('cnf is exactly {jwk}: no other member rides along under the issuer signature', async () => {
    const agent = await generateKeyPair('Ed25519');
    const { kty, crv, x } = agent.publicJwk as { kty: string; crv: string; x: string };
    const claims = { iss: 'alpha', sub: 'agent:x', iat: sec, exp: sec + 600 };
    const good = await rawCredential('alpha', { ...claims, cnf: { jwk: { kty, crv, x } } }, g.orgs.alpha!.privateKey);
    assert.ok((await verifyAgentCredential(good, { registry: g.doc, now })).agentKey);
    for (const extra of [{ jkt: 'x' }, { kid: 'k' }]) {
      const bad = await rawCredential(
        'alpha',
        { ...claims, cnf: { jwk: { kty, crv, x }, ...extra } },
        g.orgs.alpha!.privateKey,
      );
      await rejectsCode(() => verifyAgentCredential(bad, { registry: g.doc, now }), 'CREDENTIAL_INVALID');
    }
  });
});

describe('the strict EdDSA JWS form of credentials', () => {
  const claims = { iss: 'alpha', sub: 'agent:x', iat: sec, exp: sec + 600 };

  test('the typ must be agent-credential+jwt: a JWS the issuer signed for another purpose is not a credential', async () => {
    for (const typ of ['capability-revocation+jwt', 'capability-proof+jwt', 'capability+jwt', 'JWT']) {
      const other = await rawCredential('alpha', claims, g.orgs.alpha!.privateKey, { typ });
      await rejectsCode(() => verifyAgentCredential(other, { registry: g.doc, now }), 'CREDENTIAL_INVALID');
    }
    const noTyp = await rawCredential('alpha', claims, g.orgs.alpha!.privateKey, { typ: undefined });
    await rejectsCode(() => verifyAgentCredential(noTyp, { registry: g.doc, now }), 'CREDENTIAL_INVALID');
  });

  test('header members that pick a key or demand extensions are refused', async () => {
    const agent = await generateKeyPair('Ed25519');
    for (const extra of [
      { jwk: agent.publicJwk },
      { jku: 'https://evil.example/jwks' },
      { crit: ['exp'] },
      { b64: false },
    ]) {
      const bad = await rawCredential('alpha', claims, g.orgs.alpha!.privateKey, extra);
      await rejectsCode(() => verifyAgentCredential(bad, { registry: g.doc, now }), 'CREDENTIAL_INVALID');
    }
  });

  test('times are whole seconds', async () => {
    for (const t of [{ iat: sec + 0.5 }, { exp: sec + 600.25 }, { exp: 2 ** 60 }]) {
      const bad = await rawCredential('alpha', { ...claims, ...t }, g.orgs.alpha!.privateKey);
      await rejectsCode(() => verifyAgentCredential(bad, { registry: g.doc, now }), 'CREDENTIAL_INVALID');
    }
  });
});

describe('proofs dated in the future are stale too', () => {
  test('a capability proof whose iat is more than 60 s ahead is PROOF_STALE', async () => {
    const agent = await generateKeyPair('Ed25519');
    const req = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };
    const proof = await signCapabilityProof(req, agent.privateKey, { now });
    const opts = { agentKey: agent.publicKey, ...req };
    assert.equal(await verifyCapabilityProof(proof, { ...opts, now: now - 60_000 }), sec);
    // Pre-signed for later use: iat one day ahead of the verifier's clock.
    const later = await signCapabilityProof(req, agent.privateKey, { now: now + 86_400_000 });
    await rejectsCode(() => verifyCapabilityProof(later, { ...opts, now }), 'PROOF_STALE');
    await rejectsCode(() => verifyCapabilityProof(proof, { ...opts, now: now - 61_000 }), 'PROOF_STALE');
  });

  test('an issuer revocation request whose iat is more than 60 s ahead is PROOF_STALE', async () => {
    const key = g.orgs.alpha!.privateKey;
    const r = await signRevocationRequest({ jti: 't1', issuerId: 'alpha' }, key, { now });
    assert.equal(await verifyRevocationRequest(r, { registry: g.doc, jti: 't1', now: now - 60_000 }), 'alpha');
    const later = await signRevocationRequest({ jti: 't1', issuerId: 'alpha' }, key, { now: now + 86_400_000 });
    await rejectsCode(() => verifyRevocationRequest(later, { registry: g.doc, jti: 't1', now }), 'PROOF_STALE');
    await rejectsCode(
      () => verifyRevocationRequest(r, { registry: g.doc, jti: 't1', now: now - 61_000 }),
      'PROOF_STALE',
    );
  });
});

// Found by mutation testing: dropping `s.length === 0` from the scope check failed no SDK test; an empty scope then
// verified (a credential the signer refuses to make), and was refused only later, as SCOPE_VIOLATION.
test('a credential scope holds 1 to 64 entries: an empty list is CREDENTIAL_INVALID', async () => {
  const claims = { iss: 'alpha', sub: 'agent:x', iat: sec, exp: sec + 3600 };
  const key = g.orgs.alpha!.privateKey;
  await verifyAgentCredential(await rawCredential('alpha', { ...claims, scope: ['a:read'] }, key), {
    registry: g.doc,
    now,
  });
  const empty = await rawCredential('alpha', { ...claims, scope: [] }, key);
  await rejectsCode(() => verifyAgentCredential(empty, { registry: g.doc, now }), 'CREDENTIAL_INVALID');
});

// Found by mutation testing: with `&&` for `||` in the test for a scope request, or without its pattern checks, every
// SDK test passed; a verifier that passed half a request, or a malformed one, then had no scope checked at all.
test('half a scope request, or a malformed one, is SCOPE_VIOLATION even for an unscoped credential', async () => {
  const claims = { iss: 'alpha', sub: 'agent:x', iat: sec, exp: sec + 3600 };
  const unscoped = await rawCredential('alpha', claims, g.orgs.alpha!.privateKey);
  const opts = { registry: g.doc, now };
  await verifyAgentCredential(unscoped, { ...opts, resource: 'payments:invoices', action: 'read' });
  for (const [resource, action] of [
    ['payments:invoices', undefined],
    [undefined, 'read'],
    ['payments:*:read', 'read'],
    ['payments:invoices', 'read:write'],
  ] as const) {
    await rejectsCode(() => verifyAgentCredential(unscoped, { ...opts, resource, action }), 'SCOPE_VIOLATION');
  }
});

// Found by mutation testing: without the `length === 0` check the signer made a credential with `scope: []`, which
// every verifier refuses (see above).
test('signAgentCredential refuses an empty scope rather than sign a credential no verifier accepts', async () => {
  await rejectsCode(
    () =>
      signAgentCredential(
        { issuerId: 'alpha', agentId: 'agent:x', ttlSeconds: 600, now, scope: [] },
        g.orgs.alpha!.privateKey,
      ),
    'INVALID_ARGUMENT',
  );
});

// Found by mutation testing: dropping the `iat` type check, or the empty-kid check of the JWS form, failed no test; a
// proof whose iat is a numeric string then passed the freshness check by coercion.
test('a capability proof needs whole-second iat and a kid', async () => {
  const agent = await generateKeyPair('Ed25519');
  const req = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };
  const opts = { agentKey: agent.publicKey, ...req, now };
  const raw = (kid: string, iat: unknown) =>
    rawCredential(kid, { ...req, iat }, agent.privateKey, { typ: CAPABILITY_PROOF_TYP });
  assert.equal(await verifyCapabilityProof(await raw('k', sec), opts), sec);
  for (const iat of [String(sec), sec + 0.5, -1]) {
    await rejectsCode(async () => verifyCapabilityProof(await raw('k', iat), opts), 'PROOF_INVALID');
  }
  await rejectsCode(async () => verifyCapabilityProof(await raw('', sec), opts), 'PROOF_INVALID');
});

// Found by mutation testing: without the issuer-id check of its kid, a revocation request naming no possible issuer
// (65 characters, or a control character) was UNKNOWN_ISSUER, a registry answer, rather than a malformed request.
test('a revocation request whose kid is no issuer id is PROOF_INVALID', async () => {
  const key = g.orgs.alpha!.privateKey;
  const raw = (kid: string) => rawCredential(kid, { jti: 't1', iat: sec }, key, { typ: CAPABILITY_REVOCATION_TYP });
  assert.equal(await verifyRevocationRequest(await raw('alpha'), { registry: g.doc, jti: 't1', now }), 'alpha');
  for (const kid of ['a'.repeat(65), 'alpha\u0000']) {
    await rejectsCode(
      async () => verifyRevocationRequest(await raw(kid), { registry: g.doc, jti: 't1', now }),
      'PROOF_INVALID',
    );
  }
});

// Found by mutation testing: the verified credential's `hash` (a token's `cth`, which ties it to the credential it
// was issued from) could be the digest of other text, and iss and sub could be any string, with every test passing.
test('a verified credential: hash is the base64url SHA-256 of its exact text; iss and sub are ids', async () => {
  const claims = { iss: 'alpha', sub: 'agent:x', iat: sec, exp: sec + 600 };
  const key = g.orgs.alpha!.privateKey;
  const cred = await rawCredential('alpha', claims, key);
  const digest = await getDefaultCrypto().sha256(new TextEncoder().encode(cred));
  assert.equal((await verifyAgentCredential(cred, { registry: g.doc, now })).hash, encodeBase64url(digest));
  for (const [kid, bad] of [
    ['alpha', { sub: 'a'.repeat(257) }],
    ['alpha', { sub: 'agent:\u0001x' }],
    ['a'.repeat(65), { iss: 'a'.repeat(65) }],
  ] as const) {
    const raw = await rawCredential(kid, { ...claims, ...bad }, key);
    await rejectsCode(() => verifyAgentCredential(raw, { registry: g.doc, now }), 'CREDENTIAL_INVALID');
  }
});

// Found by mutation testing: the signer's length bound could be one character more generous with every test passing.
// These 64 scope entries put the credential at exactly MAX_TOKEN_LENGTH (8192) with a 127-character agent id.
test('a credential of exactly 8192 characters is signed and verifies; 8193 is refused', async () => {
  const scope = Array.from(
    { length: 64 },
    (_, i) => `p${String(i).padStart(2, '0')}:${'x'.repeat(64)}:yyyyyyyyyyyyyy:read`,
  );
  const sign = (agentId: string) =>
    signAgentCredential({ issuerId: 'alpha', agentId, ttlSeconds: 600, now, scope }, g.orgs.alpha!.privateKey);
  const longest = await sign('a'.repeat(127));
  assert.equal(longest.length, MAX_TOKEN_LENGTH);
  assert.equal((await verifyAgentCredential(longest, { registry: g.doc, now })).claims.sub, 'a'.repeat(127));
  await rejectsCode(() => sign('a'.repeat(128)), 'INVALID_ARGUMENT', /8193 characters/);
});
