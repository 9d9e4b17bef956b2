// verifyJwt (and verifyJws's decodeJwt, verifyAipToken) read a token's header and claims nested at most 16 levels,
// but signJwt signed claims of any depth: a claims set nested 17 levels was signed and handed out, and every verifier
// refused it (JWT_MALFORMED, JSON_TOO_DEEP). signJwt now refuses it first (INVALID_ARGUMENT), and still signs what
// the verifiers read, 16 levels included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, isVouchError, keysFromJwks, signJwt, verifyJwt } from '../src/index.ts';
import type { JwtClaims } from '../src/index.ts';

const ISS = 'https://vouch.example';
const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;

/** Claims whose deepest value sits in `levels` nested containers, the claims object included. */
function nested(levels: number, list = false): JwtClaims {
  let v: unknown = 'x';
  for (let i = 1; i < levels; i++) v = list && i % 2 === 0 ? [v, '{"[\\'] : { k: v, s: '[[{{' };
  return { iss: ISS, sub: 'agent', iat: S, exp: S + 60, jti: 'j1', deep: v as JwtClaims['deep'] };
}

test('signJwt refuses claims nested deeper than verifyJwt reads; it signs 16 levels, which verify', async () => {
  const pair = await generateKeyPair('P-256');
  const kid = pair.thumbprint;
  const resolveKey = keysFromJwks({ keys: [{ ...pair.publicJwk, kid }] });
  for (const list of [false, true]) {
    await assert.rejects(
      signJwt(nested(17, list), pair.privateKey, { kid }),
      (e: unknown) => isVouchError(e, 'INVALID_ARGUMENT') && /deep/.test(e.message),
    );
    const claims = nested(16, list);
    const token = await signJwt(claims, pair.privateKey, { kid });
    assert.deepEqual((await verifyJwt(token, { resolveKey, issuer: ISS, now: NOW })).claims, claims);
  }
});
