// signJwt handed its claims to JSON.stringify as they came: a BigInt or a reference cycle threw a raw TypeError ("Do
// not know how to serialize a BigInt", "Converting circular structure to JSON"), and claims that are not a JSON object
// (null, a list, a string, a number, an object whose toJSON gives one of those) were signed into a token whose payload
// every verifier refuses (JWT_MALFORMED: RFC 7519 §7.2 wants a JSON object). Both are now INVALID_ARGUMENT, before
// anything is signed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, isVouchError, keysFromJwks, signJwt, verifyJwt } from '../src/index.ts';
import type { JwtClaims } from '../src/index.ts';

const ISS = 'https://vouch.example';
const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;

test('signJwt refuses claims that are not a JSON object, or that JSON cannot write: INVALID_ARGUMENT', async () => {
  const pair = await generateKeyPair('P-256');
  const kid = pair.thumbprint;
  const cycle: Record<string, unknown> = { iss: ISS };
  cycle.self = cycle;
  const bad: Array<[string, unknown]> = [
    ['a BigInt claim', { iss: ISS, big: 10n }],
    ['a reference cycle', cycle],
    ['null', null],
    ['a list', [{ iss: ISS }]],
    ['a string', 'claims'],
    ['a number', 5],
    ['a toJSON giving a string', { toJSON: () => 'claims' }],
    ['a toJSON giving null', { iss: ISS, toJSON: () => null }],
  ];
  for (const [label, claims] of bad) {
    await assert.rejects(
      signJwt(claims as JwtClaims, pair.privateKey, { kid }),
      (e: unknown) => isVouchError(e, 'INVALID_ARGUMENT'),
      label,
    );
  }
  // An object's toJSON that gives an object is still written as JSON.stringify writes it, and verifies as such.
  const base = { iss: ISS, sub: 'agent', iat: S, exp: S + 60, jti: 'j1' };
  const resolveKey = keysFromJwks({ keys: [{ ...pair.publicJwk, kid }] });
  const token = await signJwt({ toJSON: () => base } as unknown as JwtClaims, pair.privateKey, { kid });
  assert.deepEqual((await verifyJwt(token, { resolveKey, issuer: ISS, now: NOW })).claims, base);
});
