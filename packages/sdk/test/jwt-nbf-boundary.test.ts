// nbf is valid from the instant it names, less the skew allowance: a token whose nbf is exactly now + skew is
// valid, one second later is JWT_NOT_YET_VALID (the same edge as iat in mutation-gaps-jwt.test.ts). jwt.test.ts
// refuses an nbf 120 s ahead only; found by mutation testing: `now + skew <= nbf` for `now + skew < nbf` (refusing
// a token at the very second it becomes valid) left every test passing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, isVouchError, signJwt, verifyJwt } from '../src/index.ts';

const ISS = 'https://vouch.example';
const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;
const base = { iss: ISS, sub: 'did:identity:abc', iat: S, exp: S + 600, jti: 'j1' };

test('nbf: valid at exactly now + skew, not one second later', async () => {
  const pair = await generateKeyPair('Ed25519');
  const resolveKey = () => pair.publicKey;
  const sign = (nbf: number) => signJwt({ ...base, nbf }, pair.privateKey, { kid: 'k' });
  const opts = { resolveKey, algorithms: ['EdDSA'] as const, issuer: ISS, now: NOW };
  const notYet = (err: unknown) => isVouchError(err) && err.code === 'JWT_NOT_YET_VALID';
  // Default skew: 60 s.
  await verifyJwt(await sign(S + 60), opts);
  await assert.rejects(verifyJwt(await sign(S + 61), opts), notYet);
  // No skew: from nbf itself (a reference time in the middle of a second included).
  await verifyJwt(await sign(S), { ...opts, clockSkewSeconds: 0 });
  await verifyJwt(await sign(S + 1), { ...opts, clockSkewSeconds: 0, now: NOW + 1000 });
  await assert.rejects(verifyJwt(await sign(S + 1), { ...opts, clockSkewSeconds: 0, now: NOW + 999 }), notYet);
  // An explicit skew counts, not the default.
  await verifyJwt(await sign(S + 300), { ...opts, clockSkewSeconds: 300 });
  await assert.rejects(verifyJwt(await sign(S + 301), { ...opts, clockSkewSeconds: 300 }), notYet);
});
