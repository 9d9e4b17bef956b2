// createOfflineVerifier().verifyCapability judges the registry and the token at one instant: it reads its clock once
// per verification. Reading it twice (once for the registry, once for the token) could check the issuer at one time
// and the token at another — with a clock that moves between the reads, a token valid at the registry's instant
// was judged expired.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  createOfflineVerifier,
  generateKeyPair,
  signCapabilityToken,
  type CapabilityClaims,
  type VerifierCache,
} from '../src/index.ts';
import { governedRegistry, NOW, type Governed } from './registry-fixtures.ts';

const REQUEST = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' } as const;
let g: Governed;

before(async () => {
  g = await governedRegistry();
});

test('verifyCapability reads the clock once: registry and token are judged at the same instant', async () => {
  const pair = await generateKeyPair('Ed25519');
  const iat = Math.floor(NOW.getTime() / 1000) - 60;
  // Valid at NOW, expired an hour later.
  const claims: CapabilityClaims = {
    jti: 't1',
    sub: REQUEST.agentId,
    res: 'payments:*',
    act: 'read',
    tier: 'observe',
    iat,
    exp: iat + 3_600,
    iid: null,
    cth: null,
    ikt: null,
    par: [],
  };
  const token = await signCapabilityToken(claims, pair.privateKey, { kid: pair.thumbprint });
  const key = { kty: 'OKP', crv: 'Ed25519', x: pair.publicJwk.x, kid: pair.thumbprint, alg: 'EdDSA', use: 'sig' };
  const cache = {
    trustRegistry: JSON.parse(JSON.stringify(g.doc)),
    vouchKeys: { keys: [{ ...key, purpose: 'capability' }] },
  } as unknown as VerifierCache;
  // Each read moves the clock two hours on: a second read would see the token expired.
  const reads: number[] = [];
  const clock = () => {
    const t = NOW.getTime() + reads.length * 2 * 3_600_000;
    reads.push(t);
    return t;
  };
  const v = createOfflineVerifier(cache, { rootKey: g.root.publicKey, now: clock });
  const d = await v.verifyCapability(token, REQUEST);
  assert.equal(d.decision, 'allow', JSON.stringify(d));
  assert.equal(reads.length, 1);
});
