// Checks of verifyAipToken and the pure-JS ES256 JWKS reader that no other test could notice being broken (found by
// mutation testing): each case below fails if its check is dropped or weakened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AIP_TYP,
  aipClaimName,
  aipIssueProofMessage,
  aipKeysFromJwks,
  decodeBase64url,
  encodeBase64url,
  es256KeyFromJwk,
  verifyAipToken,
} from '../src/index.ts';
import type { JwtClaims } from '../src/index.ts';
import { aipIssuer, DID, ISS, NOW, rejects, S } from './aip-fixtures.ts';

test('verifyAipToken refuses an empty sub or an empty jti (no agent, no revocable id)', async () => {
  const { sign, identity, opts } = await aipIssuer();
  assert.equal((await verifyAipToken(await sign(identity), opts)).agent, DID);
  await rejects(verifyAipToken(await sign({ ...identity, sub: '' }), opts), 'JWT_CLAIM_INVALID');
  await rejects(verifyAipToken(await sign({ ...identity, jti: '' }), opts), 'JWT_CLAIM_INVALID');
});

test('a session token with an empty aud is refused', async () => {
  const { sign, session, opts } = await aipIssuer();
  assert.equal((await verifyAipToken(await sign(session, AIP_TYP.session), opts)).audience, 'shop');
  await rejects(verifyAipToken(await sign({ ...session, aud: '' }, AIP_TYP.session), opts), 'JWT_CLAIM_INVALID');
});

test('empty nonce, deployer or framework claims are refused', async () => {
  const { sign, identity, session, opts } = await aipIssuer();
  await rejects(verifyAipToken(await sign({ ...session, nonce: '' }, AIP_TYP.session), opts), 'JWT_CLAIM_INVALID');
  for (const name of ['deployer', 'framework'] as const) {
    const ok = await verifyAipToken(await sign({ ...identity, [aipClaimName(ISS, name)]: 'x' }), opts);
    assert.equal(ok[name], 'x');
    await rejects(
      verifyAipToken(await sign({ ...identity, [aipClaimName(ISS, name)]: '' }), opts),
      'JWT_CLAIM_INVALID',
    );
  }
});

test('model_providers must be a list of strings, element by element', async () => {
  const { sign, identity, opts } = await aipIssuer();
  const mp = aipClaimName(ISS, 'model_providers');
  assert.deepEqual((await verifyAipToken(await sign({ ...identity, [mp]: ['a', 'b'] }), opts)).modelProviders, [
    'a',
    'b',
  ]);
  for (const bad of [[1], ['a', null], [{ name: 'a' }], [['a']]]) {
    await rejects(verifyAipToken(await sign({ ...identity, [mp]: bad }), opts), 'JWT_CLAIM_INVALID');
  }
});

test('without a pinned issuer, a token whose iss is empty is refused', async () => {
  const { sign, identity, resolveKey } = await aipIssuer();
  // Everything else consistent for the issuer "": the namespaced token_type claim is "/claims/token_type".
  const claims: JwtClaims = { sub: DID, iat: S, exp: S + 3600, jti: 'j-1', iss: '' };
  claims[aipClaimName('', 'token_type')] = 'identity';
  await rejects(verifyAipToken(await sign(claims), { resolveKey, now: NOW }), 'JWT_CLAIM_INVALID');
  // The same path with a real iss works.
  assert.equal((await verifyAipToken(await sign(identity), { resolveKey, now: NOW })).jti, 'j-1');
});

// NIST P-256.
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function powMod(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}

function be32(v: bigint): Uint8Array {
  return Uint8Array.from(v.toString(16).padStart(64, '0').match(/../g)!, (h) => parseInt(h, 16));
}

test('es256KeyFromJwk refuses coordinates that are not reduced mod p (a second spelling of a point)', () => {
  // A point with a small x, so that x + p still fits in 32 bytes (p ≡ 3 mod 4: sqrt is a power).
  let x = 0n;
  let y = 0n;
  for (; ; x++) {
    const rhs = (((x * x * x - 3n * x + B) % P) + P) % P;
    y = powMod(rhs, (P + 1n) / 4n, P);
    if ((y * y) % P === rhs) break;
  }
  const good = { kty: 'EC', crv: 'P-256', x: encodeBase64url(be32(x)), y: encodeBase64url(be32(y)) };
  assert.ok(es256KeyFromJwk(good), 'the reduced point is a key');
  const unreduced = { ...good, x: encodeBase64url(be32(x + P)) };
  assert.equal(decodeBase64url(unreduced.x).length, 32);
  assert.equal(es256KeyFromJwk(unreduced), undefined);
  assert.deepEqual(aipKeysFromJwks({ keys: [{ ...unreduced, kid: 'k' }] }).kids, []);
});

// Mutations: `signedAt < 0` or `did.length === 0` dropped from aipIssueProofMessage (a message no server accepts was
// signed: "aip-issue::identity::5", or one for a time before the epoch).
test('an issuance proof message needs a non-empty did and a signedAt from the epoch on', () => {
  assert.equal(aipIssueProofMessage({ did: DID, tokenType: 'identity', signedAt: 0 }), `aip-issue:${DID}:identity::0`);
  assert.throws(() => aipIssueProofMessage({ did: DID, tokenType: 'identity', signedAt: -1 }), {
    code: 'INVALID_ARGUMENT',
    message: /signedAt must be milliseconds since the epoch/,
  });
  assert.throws(() => aipIssueProofMessage({ did: '', tokenType: 'identity', signedAt: 5 }), {
    code: 'INVALID_ARGUMENT',
    message: /did must be a string/,
  });
});
