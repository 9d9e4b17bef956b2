// verifyToken (and the offline verifier's verifyToken) hand their options to verifyAipToken. No test read a verdict
// that depends on clockSkewSeconds: dropping it (token.ts) passed every test, and a caller's clockSkewSeconds: 0 was
// silently the default 60 s, so a token expired 30 s ago was answered valid. Each forwarded option is checked here
// against a control that differs only in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AIP_TYP, createOfflineVerifier, verifyToken } from '../src/index.ts';
import type { VerifierCache } from '../src/index.ts';
import { aipIssuer, ISS, S } from './aip-fixtures.ts';

const verdict = (r: { valid: boolean; code?: string }): string => (r.valid ? 'valid' : r.code!);

test('verifyToken forwards clockSkewSeconds, audience, nonce and tokenType', async () => {
  const a = await aipIssuer();
  const identity = await a.sign(a.identity, AIP_TYP.identity);
  const session = await a.sign(a.session, AIP_TYP.session);
  const cache = {
    discovery: { issuer: ISS, keys: a.jwks.keys },
    revocations: { jtis: [] },
    signatures: {},
  } as unknown as VerifierCache;
  // 30 s past exp: inside the default 60 s allowance, outside none.
  const late = (S + 3600 + 30) * 1000;
  const inTime = S * 1000;
  assert.equal(verdict(await verifyToken(identity, cache, { now: late })), 'valid');
  assert.equal(verdict(await verifyToken(identity, cache, { now: late, clockSkewSeconds: 0 })), 'JWT_EXPIRED');
  const offline = createOfflineVerifier(cache, { now: () => late });
  assert.equal(verdict(await offline.verifyToken(identity)), 'valid');
  assert.equal(verdict(await offline.verifyToken(identity, { clockSkewSeconds: 0 })), 'JWT_EXPIRED');

  assert.equal(verdict(await verifyToken(session, cache, { now: inTime, audience: 'shop' })), 'valid');
  assert.equal(verdict(await verifyToken(session, cache, { now: inTime, audience: 'bank' })), 'JWT_AUDIENCE_MISMATCH');
  assert.equal(verdict(await verifyToken(session, cache, { now: inTime, nonce: 'n-1' })), 'valid');
  assert.equal(verdict(await verifyToken(session, cache, { now: inTime, nonce: 'n-2' })), 'JWT_NONCE_MISMATCH');
  assert.equal(verdict(await verifyToken(identity, cache, { now: inTime, tokenType: 'identity' })), 'valid');
  assert.equal(
    verdict(await verifyToken(identity, cache, { now: inTime, tokenType: 'session' })),
    'TOKEN_TYPE_MISMATCH',
  );
});
