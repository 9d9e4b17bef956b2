// exp, nbf and iat must be numbers whenever present, whether or not they are required: a string or null time compares
// false against the reference time (NaN, or 0), so an unchecked one would silently pass its time check. jwt.test.ts
// refuses a string exp only (which also fails the required-claims path); found by mutation testing: dropping nbf from
// the numeric claims left every test passing, and a token with nbf "2100-01-01" (not valid for decades) verified.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, isVouchError, signJwt, verifyJwt } from '../src/index.ts';

const ISS = 'https://vouch.example';
const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;
const base = { iss: ISS, sub: 'did:identity:abc', iat: S, exp: S + 600, jti: 'j1' };

test('a present exp, nbf or iat of any non-number type is JWT_CLAIM_INVALID', async () => {
  const pair = await generateKeyPair('Ed25519');
  const opts = { resolveKey: () => pair.publicKey, algorithms: ['EdDSA'] as const, issuer: ISS, now: NOW };
  const sign = (claims: object) => signJwt(claims as never, pair.privateKey, { kid: 'k' });
  await verifyJwt(await sign({ ...base, nbf: S }), opts);
  for (const name of ['exp', 'nbf', 'iat']) {
    for (const value of ['2100-01-01', String(S + 86_400 * 365 * 70), null, true, [S], { at: S }]) {
      // Optional claims too: no required list names these, so only the type check can refuse them.
      for (const requiredClaims of [undefined, ['iss', 'sub']]) {
        await assert.rejects(
          verifyJwt(await sign({ ...base, [name]: value }), { ...opts, requiredClaims }),
          (err: unknown) => isVouchError(err) && err.code === 'JWT_CLAIM_INVALID',
          `${name}: ${JSON.stringify(value)}, required ${JSON.stringify(requiredClaims)}`,
        );
      }
    }
  }
});
