// signJwt wrote its claims with JSON.stringify, which writes NaN and ±Infinity as null and a lone surrogate as a
// \u escape: the token was signed and handed out, and every verifier then refused it (an "exp": null the signer never
// meant, or a payload that is not I-JSON). Such claims are now refused before signing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, isVouchError, keysFromJwks, signJwt, verifyJwt } from '../src/index.ts';
import type { JwtClaims } from '../src/index.ts';

const ISS = 'https://vouch.example';
const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;

test('signJwt refuses claims JSON cannot carry as given, and still signs the rest', async () => {
  const pair = await generateKeyPair('P-256');
  const kid = pair.thumbprint;
  const resolveKey = keysFromJwks({ keys: [{ ...pair.publicJwk, kid }] });
  const base: JwtClaims = { iss: ISS, sub: 'agent', iat: S, exp: S + 60, jti: 'j1' };
  const bad: JwtClaims[] = [
    { ...base, exp: Number.NaN },
    { ...base, nbf: Infinity },
    { ...base, extra: [1, -Infinity] },
    { ...base, sub: 'a\ud800b' },
    { ...base, extra: { ['k\udc00']: 1 } },
  ];
  for (const claims of bad) {
    await assert.rejects(signJwt(claims, pair.privateKey, { kid }), (e: unknown) =>
      isVouchError(e, 'INVALID_ARGUMENT'),
    );
  }
  await assert.rejects(signJwt(base, pair.privateKey, { kid: 'k\ud800' }), (e: unknown) =>
    isVouchError(e, 'INVALID_ARGUMENT'),
  );
  // Text that merely looks like an escape, a null and a surrogate pair are signed and verify as written.
  const fine: JwtClaims = { ...base, extra: { note: '\\ud800 null', none: null, pair: '\ud83d\ude00' } };
  const token = await signJwt(fine, pair.privateKey, { kid });
  const { claims } = await verifyJwt(token, { resolveKey, issuer: ISS, now: NOW });
  assert.deepEqual(claims, fine);
});
