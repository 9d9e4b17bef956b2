// A null options argument (JavaScript callers, settings read from JSON) to verifyCapability, verifyToken, the offline
// verifier, verifyToolManifest or fetchVerifierCache threw a raw TypeError ("Cannot read properties of null"), where
// an absent argument gives the defaults. Null now gives the defaults, as elsewhere in the SDK. With no clock given
// the functions read Date.now(), so the tokens here are dated from it, valid for a day.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createOfflineVerifier,
  fetchVerifierCache,
  generateKeyPair,
  signCapabilityToken,
  verifyCapability,
  verifyToken,
  verifyToolManifest,
  VouchClient,
  type CapabilityClaims,
  type ToolManifest,
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

test('the offline verifier, verifyToolManifest and fetchVerifierCache take null options as none', async () => {
  const issuer = await aipIssuer();
  const cache = {
    discovery: { issuer: ISS, keys: issuer.jwks.keys },
    revocations: { jtis: [] },
    vouchKeys: { keys: [] },
  } as unknown as VerifierCache;
  const iat = Math.floor(Date.now() / 1000) - 60;
  const token = await issuer.sign({ ...issuer.identity, iat, exp: iat + 86_400 });
  const offline = createOfflineVerifier(cache, none);
  assert.equal((await offline.verifyToken(token, none)).valid, true);
  const credential = await offline.verifyAgentCredential('x.y.z', none);
  assert.deepEqual([credential.valid, (credential as { code?: string }).code], [false, 'INVALID_ARGUMENT']);
  const manifest = await verifyToolManifest({} as ToolManifest, cache, none);
  assert.equal(manifest.valid, false);
  // Nothing listens on port 1: with its options read, the call fails as a network error, not a TypeError.
  const client = new VouchClient({ baseUrl: 'http://127.0.0.1:1', retry: { retries: 0 } });
  await assert.rejects(fetchVerifierCache(client, none), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'NETWORK_ERROR', String(err));
    return true;
  });
});
