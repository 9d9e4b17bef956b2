// Checks of verifyJws / verifyJwt that no other test could notice being broken (found by mutation testing): each
// case below fails if its check is dropped or weakened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeJws,
  encodeBase64url,
  formatPublicKey,
  generateKeyPair,
  isVouchError,
  keysFromJwks,
  signJwt,
  verifyJws,
  verifyJwt,
} from '../src/index.ts';
import type { KeyResolver, VouchErrorCode } from '../src/index.ts';

const ISS = 'https://vouch.example';
const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;

async function setup() {
  const pair = await generateKeyPair('P-256');
  const jwk = { ...formatPublicKey(pair.publicKey, 'jwk'), kid: pair.thumbprint, alg: 'ES256', use: 'sig' };
  const resolveKey = keysFromJwks({ keys: [jwk] });
  const sign = (claims: object, header: { typ?: string } = {}) =>
    signJwt(claims as never, pair.privateKey, { kid: pair.thumbprint, ...header });
  return { pair, resolveKey, sign };
}

async function rejects(p: Promise<unknown>, code: VouchErrorCode) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isVouchError(err), String(err));
    assert.equal(err.code, code);
    return true;
  });
}

const base = { iss: ISS, sub: 'did:identity:abc', iat: S, exp: S + 600, jti: 'j1' };

test('a required nonce must be present: a token without one is refused, not waved through', async () => {
  const { resolveKey, sign } = await setup();
  const opts = { resolveKey, issuer: ISS, now: NOW };
  await verifyJwt(await sign({ ...base, nonce: 'n-1' }), { ...opts, nonce: 'n-1' });
  // A token minted without any nonce would replay into every nonce-bound exchange.
  await rejects(verifyJwt(await sign(base), { ...opts, nonce: 'n-1' }), 'JWT_NONCE_MISMATCH');
});

test('a required audience must be present: a token without aud is refused for every audience', async () => {
  const { resolveKey, sign } = await setup();
  const opts = { resolveKey, issuer: ISS, now: NOW };
  await verifyJwt(await sign({ ...base, aud: 'shop' }), { ...opts, audience: 'shop' });
  await rejects(verifyJwt(await sign(base), { ...opts, audience: 'shop' }), 'JWT_AUDIENCE_MISMATCH');
  await rejects(verifyJwt(await sign({ ...base, aud: [] }), { ...opts, audience: 'shop' }), 'JWT_AUDIENCE_MISMATCH');
});

test('iss must equal the issuer even when the caller does not list it among the required claims', async () => {
  const { resolveKey, sign } = await setup();
  const { iss: _iss, ...noIss } = base;
  const opts = { resolveKey, issuer: ISS, now: NOW, requiredClaims: ['sub', 'exp'] };
  await verifyJwt(await sign(base), opts);
  await rejects(verifyJwt(await sign(noIss), opts), 'JWT_ISSUER_MISMATCH');
});

test('iat: the future-issue check allows exactly the skew, not one second more', async () => {
  const { resolveKey, sign } = await setup();
  const opts = { resolveKey, issuer: ISS, now: NOW };
  await verifyJwt(await sign({ ...base, iat: S + 60 }), opts);
  await rejects(verifyJwt(await sign({ ...base, iat: S + 61 }), opts), 'JWT_ISSUED_IN_FUTURE');
  await verifyJwt(await sign({ ...base, iat: S }), { ...opts, clockSkewSeconds: 0 });
  await rejects(
    verifyJwt(await sign({ ...base, iat: S + 1 }), { ...opts, clockSkewSeconds: 0 }),
    'JWT_ISSUED_IN_FUTURE',
  );
});

test('the string claims iss, sub, jti and nonce must be strings', async () => {
  const { resolveKey, sign } = await setup();
  const opts = { resolveKey, issuer: ISS, now: NOW };
  for (const bad of [{ sub: 42 }, { sub: ['did:identity:abc'] }, { jti: { id: 'j1' } }, { nonce: ['n-1'] }]) {
    await rejects(verifyJwt(await sign({ ...base, ...bad }), opts), 'JWT_CLAIM_INVALID');
  }
});

function headerToken(header: object, rest: string): string {
  return `${encodeBase64url(JSON.stringify(header))}.${rest}`;
}

test('a kid that is not a string is refused before any key lookup', async () => {
  const { pair, resolveKey } = await setup();
  const token = await signJwt(base, pair.privateKey, { kid: pair.thumbprint });
  const [, p, s] = token.split('.') as [string, string, string];
  const seen: unknown[] = [];
  // A resolver that indexes a table would find the key for ["<kid>"] (its String() is the kid).
  const table: Record<string, ReturnType<KeyResolver>> = { [pair.thumbprint]: pair.publicKey };
  const lenient: KeyResolver = (kid) => {
    seen.push(kid);
    return table[kid as string];
  };
  for (const kid of [[pair.thumbprint], 123, { k: 1 }, null]) {
    await rejects(verifyJws(headerToken({ alg: 'ES256', kid }, `${p}.${s}`), { resolveKey: lenient }), 'JWT_MALFORMED');
  }
  assert.deepEqual(seen, []);
  await verifyJws(token, { resolveKey });
});

test('a typ that is not a string never matches an accepted typ', async () => {
  const { pair } = await setup();
  const resolveKey: KeyResolver = () => pair.publicKey;
  const token = await signJwt(base, pair.privateKey, { kid: pair.thumbprint, typ: 'agent-identity+jwt' });
  await verifyJws(token, { resolveKey, typ: 'agent-identity+jwt' });
  // The same signer's token with typ ["agent-identity+jwt"]: its String() equals the accepted typ.
  const header = { alg: 'ES256', kid: pair.thumbprint, typ: ['agent-identity+jwt'] };
  const input = `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(JSON.stringify(base))}`;
  const { getDefaultCrypto } = await import('../src/crypto/default.ts');
  const sig = await getDefaultCrypto().sign('ES256', pair.privateKey, new TextEncoder().encode(input));
  const arrayTyp = `${input}.${encodeBase64url(sig)}`;
  await verifyJws(arrayTyp, { resolveKey }); // a good signature: only typ is wrong
  await rejects(verifyJws(arrayTyp, { resolveKey, typ: 'agent-identity+jwt' }), 'JWT_TYP_MISMATCH');
  await rejects(verifyJws(arrayTyp, { resolveKey, typ: ['agent-identity+jwt', 'x'] }), 'JWT_TYP_MISMATCH');
});

test('maxLength is exact: a token of maxLength characters passes, one more is JWT_TOO_LARGE', async () => {
  const { resolveKey, sign } = await setup();
  const token = await sign(base);
  await verifyJwt(token, { resolveKey, issuer: ISS, now: NOW, maxLength: token.length });
  await rejects(verifyJwt(token, { resolveKey, issuer: ISS, now: NOW, maxLength: token.length - 1 }), 'JWT_TOO_LARGE');
  assert.throws(
    () => decodeJws(token, token.length - 1),
    (e: unknown) => isVouchError(e) && e.code === 'JWT_TOO_LARGE',
  );
});

test('decodeJws refuses a header without a string alg (JWT_MALFORMED)', () => {
  for (const header of [{ kid: 'k' }, { alg: 1, kid: 'k' }, { alg: null }]) {
    assert.throws(
      () => decodeJws(headerToken(header, 'e30.AAAA')),
      (e: unknown) => isVouchError(e) && e.code === 'JWT_MALFORMED',
    );
  }
});

test('decodeJws hands out a copy of a cached header: editing it cannot change what the next token decodes to', () => {
  const a = `${encodeBase64url(JSON.stringify({ alg: 'ES256', kid: 'cache-a', typ: 'x' }))}.e30.AAAA`;
  const b = `${encodeBase64url(JSON.stringify({ alg: 'ES256', kid: 'cache-b', typ: 'x' }))}.e30.AAAA`;
  for (let round = 0; round < 3; round++) {
    // Alternate so that both the header cache and its last-entry shortcut are taken.
    for (const [token, kid] of [
      [a, 'cache-a'],
      [b, 'cache-b'],
    ] as const) {
      // Twice in a row: the second decode of the same header takes the last-entry shortcut.
      for (let again = 0; again < 2; again++) {
        const { header } = decodeJws(token);
        assert.equal(header.kid, kid);
        assert.equal(header.alg, 'ES256');
        header.kid = 'attacker';
        header.alg = 'none';
      }
    }
  }
});
