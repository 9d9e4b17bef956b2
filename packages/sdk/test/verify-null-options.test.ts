// A null options argument to verifyCapability or verifyToken (JavaScript callers, settings read from JSON) threw a
// raw TypeError ("Cannot read properties of null (reading 'now')"): verifyCapability synchronously, verifyToken as a
// rejection, where an absent argument gives the defaults. Null now gives the defaults, as elsewhere in the SDK. With
// no clock given both read Date.now(), so the tokens here are dated from it, valid for a day.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  generateKeyPair,
  signCapabilityToken,
  verifyCapability,
  verifyToken,
  type CapabilityClaims,
  type VerifierCache,
  type VouchKeys,
} from '../src/index.ts';
import { aipIssuer, ISS } from './aip-fixtures.ts';

const none = null as unknown as undefined;
const REQUEST = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' } as const;

test('verifyCapability takes a null options argument as none', async () => {
  const pair = await generateKeyPair('Ed25519');
  const key = { kty: 'OKP', crv: 'Ed25519', x: pair.publicJwk.x, kid: pair.thumbprint, alg: 'EdDSA', use: 'sig' };
  const cache = { vouchKeys: { keys: [{ ...key, purpose: 'capability' }] } as unknown as VouchKeys };
  const iat = Math.floor(Date.now() / 1000) - 60;
  const claims: CapabilityClaims = {
    ...{ jti: 't1', sub: REQUEST.agentId, res: 'payments:*', act: 'read', tier: 'observe' },
    ...{ iat, exp: iat + 86_400, iid: null, cth: null, ikt: null, par: [] },
  };
  const token = await signCapabilityToken(claims, pair.privateKey, { kid: pair.thumbprint });
  assert.equal((await verifyCapability(token, REQUEST, cache, none)).decision, 'allow');
  const other = { ...REQUEST, action: 'write' };
  assert.deepEqual(await verifyCapability(token, other, cache, none), await verifyCapability(token, other, cache));
});

test('verifyToken takes a null options argument as none', async () => {
  const issuer = await aipIssuer();
  const cache = {
    discovery: { issuer: ISS, keys: issuer.jwks.keys },
    revocations: { jtis: ['j-revoked'] },
  } as unknown as Pick<VerifierCache, 'discovery' | 'revocations'>;
  const iat = Math.floor(Date.now() / 1000) - 60;
  const token = await issuer.sign({ ...issuer.identity, iat, exp: iat + 86_400 });
  const result = await verifyToken(token, cache, none);
  assert.equal(result.valid, true, JSON.stringify(result));
  const revoked = await issuer.sign({ ...issuer.identity, iat, exp: iat + 86_400, jti: 'j-revoked' });
  assert.deepEqual(await verifyToken(revoked, cache, none), await verifyToken(revoked, cache));
  assert.equal(((await verifyToken(revoked, cache, none)) as { code?: string }).code, 'TOKEN_REVOKED');
});
