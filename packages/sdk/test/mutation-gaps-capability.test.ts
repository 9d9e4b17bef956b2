// Capability-token rules that no other test could notice being broken (found by mutation testing): each case below
// fails if its check is dropped. Tokens are signed by the gateway's own key over claims that signCapabilityToken
// would refuse, as a gateway with a bug (or a leaked key) could produce them: the verifier must refuse them anyway.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  CAPABILITY_TYP,
  checkCapability,
  encodeBase64url,
  generateKeyPair,
  getDefaultCrypto,
  parseCapabilityClaims,
  resourceCovers,
  scopeAllows,
  type CapabilityClaims,
  type CheckCapabilityOptions,
} from '../src/index.ts';
import { capabilityFixture, type CapabilityFixture } from './capability-fixtures.ts';
import { NOW, rejectsCode } from './registry-fixtures.ts';

const now = NOW.getTime();
const req = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };

let f: CapabilityFixture;
before(async () => {
  f = await capabilityFixture();
});

/** Signs any payload as a capability token with the gateway key, bypassing signCapabilityToken's claim checks. */
async function rawToken(payload: Record<string, unknown>, extraHeader: Record<string, unknown> = {}): Promise<string> {
  const header = { alg: 'EdDSA', typ: CAPABILITY_TYP, kid: f.gateway.thumbprint, ...extraHeader };
  const input = `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(JSON.stringify(payload))}`;
  const sig = await getDefaultCrypto().sign('EdDSA', f.gateway.privateKey, new TextEncoder().encode(input));
  return `${input}.${encodeBase64url(sig)}`;
}

async function decision(token: string, extra: Partial<CheckCapabilityOptions> = {}): Promise<string> {
  const options: CheckCapabilityOptions = { resolveKey: f.resolveKey, now, registry: f.g.doc, ...extra };
  const d = await checkCapability(token, req, options);
  return d.decision === 'deny' ? d.code : 'allow';
}

describe('capability claims found untested by mutation', () => {
  test('the raw signer agrees with signCapabilityToken on good claims', async () => {
    assert.equal(await decision(await rawToken({ ...f.claims })), 'allow');
    assert.equal(await decision(await f.token()), 'allow');
  });

  test('iid, cth and ikt are all set or all null: an unbound token cannot carry an ikt', async () => {
    const halfBound = { ...f.claims, iid: null, cth: null } as unknown as CapabilityClaims;
    assert.throws(() => parseCapabilityClaims(halfBound), /all set or all null/);
    await rejectsCode(() => f.token({ iid: null, cth: null }), 'INVALID_ARGUMENT');
    assert.equal(await decision(await rawToken({ ...f.claims, iid: null, cth: null })), 'MALFORMED_TOKEN');
    // And a bound token without its key thumbprint.
    assert.equal(await decision(await rawToken({ ...f.claims, ikt: null })), 'MALFORMED_TOKEN');
    // Or without the credential hash, whatever the other two say.
    assert.equal(await decision(await rawToken({ ...f.claims, cth: null })), 'MALFORMED_TOKEN');
    assert.equal(await decision(await rawToken({ ...f.claims, iid: null, ikt: null })), 'MALFORMED_TOKEN');
    assert.throws(() => parseCapabilityClaims({ ...f.claims, cth: null }), /all set or all null/);
  });

  test('a delegation chain (par) longer than 16 ids is refused', async () => {
    const chain = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
    assert.equal(await decision(await f.token({ par: chain(16) })), 'allow');
    await rejectsCode(() => f.token({ par: chain(17) }), 'INVALID_ARGUMENT');
    assert.equal(await decision(await rawToken({ ...f.claims, par: chain(17) })), 'MALFORMED_TOKEN');
    assert.equal(await decision(await rawToken({ ...f.claims, par: chain(1000) })), 'MALFORMED_TOKEN');
  });
});

describe('capability token form found untested by mutation', () => {
  test('header members that pick a key or demand extensions are refused', async () => {
    for (const extra of [{ jku: 'https://evil.example/jwks' }, { crit: ['exp'] }, { x5u: 'https://evil.example/c' }]) {
      assert.equal(await decision(await rawToken({ ...f.claims }, extra)), 'MALFORMED_TOKEN', JSON.stringify(extra));
    }
  });

  test('only a capability+jwt typ is a capability token', async () => {
    for (const typ of ['capability-proof+jwt', 'agent-credential+jwt', 'JWT', 42]) {
      assert.equal(await decision(await rawToken({ ...f.claims }, { typ })), 'MALFORMED_TOKEN', String(typ));
    }
  });

  test('times are whole seconds', async () => {
    assert.equal(await decision(await rawToken({ ...f.claims, iat: f.claims.iat + 0.5 })), 'MALFORMED_TOKEN');
    assert.equal(await decision(await rawToken({ ...f.claims, exp: f.claims.exp + 0.5 })), 'MALFORMED_TOKEN');
  });

  test('a resolver that hands back a non-Ed25519 key gives a deny, never a throw', async () => {
    const p256 = await generateKeyPair('P-256');
    assert.equal(await decision(await f.token(), { resolveKey: () => p256.publicKey }), 'INVALID_SIGNATURE');
  });
});

test('an invalid resource pattern covers nothing, not even itself', () => {
  for (const bad of ['a::b', '*:a', 'a:*:b', 'a b', '', 'a:'.repeat(20) + 'a']) {
    assert.equal(resourceCovers(bad, bad), false, JSON.stringify(bad));
  }
  assert.equal(resourceCovers('a:b', 'a:b'), true);
  assert.equal(scopeAllows(['a::b:read'], 'a::b', 'read'), false);
});

describe('capability claim bounds and header typ found untested by mutation', () => {
  test('jti is at most 64 characters, sub at most 256', async () => {
    assert.equal(await decision(await rawToken({ ...f.claims, jti: 'j'.repeat(64) })), 'allow');
    assert.equal(await decision(await rawToken({ ...f.claims, jti: 'j'.repeat(65) })), 'MALFORMED_TOKEN');
    const sub = 's'.repeat(256);
    assert.equal(
      (
        await checkCapability(
          await rawToken({ ...f.claims, sub }),
          { ...req, agentId: sub },
          {
            resolveKey: f.resolveKey,
            now,
            registry: f.g.doc,
          },
        )
      ).decision,
      'allow',
    );
    const over = 's'.repeat(257);
    const d = await checkCapability(
      await rawToken({ ...f.claims, sub: over }),
      { ...req, agentId: over },
      {
        resolveKey: f.resolveKey,
        now,
        registry: f.g.doc,
      },
    );
    assert.equal(d.decision === 'deny' ? d.code : 'allow', 'MALFORMED_TOKEN');
  });

  test('the header typ is compared case-insensitively (RFC 7515)', async () => {
    assert.equal(await decision(await rawToken({ ...f.claims }, { typ: CAPABILITY_TYP.toUpperCase() })), 'allow');
  });
});
