// A gateway's capability key, a governed registry, and the claims of a capability token bound to its issuer "alpha",
// signed on demand: shared by the tests of the offline decision.
import assert from 'node:assert/strict';
import {
  checkIssuer,
  generateKeyPair,
  issuerKeyThumbprint,
  signCapabilityToken,
  type CapabilityClaims,
  type GeneratedKeyPair,
  type KeyResolver,
} from '../src/index.ts';
import { governedRegistry, NOW, type Governed } from './registry-fixtures.ts';

export interface CapabilityFixture {
  g: Governed;
  gateway: GeneratedKeyPair;
  /** The gateway's key by its thumbprint. */
  resolveKey: KeyResolver;
  claims: CapabilityClaims;
  /** The claims, with `c` over them, signed by the gateway. */
  token(c?: Partial<CapabilityClaims>): Promise<string>;
}

export async function capabilityFixture(): Promise<CapabilityFixture> {
  const sec = Math.floor(NOW.getTime() / 1000);
  const g = await governedRegistry();
  const gateway = await generateKeyPair('Ed25519');
  const found = checkIssuer(g.doc, 'alpha');
  assert.equal(found.status, 'active');
  const claims: CapabilityClaims = {
    jti: 'root',
    sub: 'agent:x',
    res: 'payments:*',
    act: 'read',
    tier: 'standard',
    iat: sec,
    exp: sec + 600,
    iid: 'alpha',
    cth: 'h'.repeat(43),
    ikt: found.status === 'active' ? await issuerKeyThumbprint(found.issuer) : null,
    par: [],
  };
  return {
    g,
    gateway,
    resolveKey: (kid) => (kid === gateway.thumbprint ? gateway.publicKey : undefined),
    claims,
    token: (c = {}) => signCapabilityToken({ ...claims, ...c }, gateway.privateKey, { kid: gateway.thumbprint }),
  };
}
