// The signature cache: a token presented again (kept from its second good presentation) skips only its signature
// check. These tests count the provider's
// verifications (a wrapper around the real node provider) and check that every other refusal still happens on a
// cached token, that a bad signature or another key is never answered from the cache, and that it stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AIP_TYP,
  aipClaimName,
  createAipVerifier,
  createSignatureCache,
  encodeBase64url,
  generateKeyPair,
  isVouchError,
  keysFromJwks,
  signJwt,
  verifyAipToken,
  verifyJws,
  verifyJwt,
} from '../src/index.ts';
import type { JwtClaims, KeyResolver, SignatureCache, SignatureCacheOptions } from '../src/index.ts';
import { countingProvider, YES_CACHE } from './providers.ts';
import { rejectsCode } from './vectors.ts';

const ISS = 'https://vouch.example';
const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;
const DID = 'did:identity:abcdefghijklmnopqrstuvwxya';

async function issuer() {
  const pair = await generateKeyPair('P-256');
  const jwk = { ...pair.publicJwk, kid: pair.thumbprint, alg: 'ES256', use: 'sig' };
  const claims = (over: JwtClaims = {}, type: 'identity' | 'session' = 'identity'): JwtClaims => {
    const c: JwtClaims = { iss: ISS, sub: DID, iat: S, exp: S + 3600, jti: `j-${Math.random()}`, ...over };
    c[aipClaimName(ISS, 'token_type')] = type;
    return c;
  };
  const identity = (over: JwtClaims = {}) =>
    signJwt(claims(over), pair.privateKey, { kid: pair.thumbprint, typ: AIP_TYP.identity });
  const session = (over: JwtClaims = {}) =>
    signJwt(claims({ aud: 'shop', nonce: 'n-1', ...over }, 'session'), pair.privateKey, {
      kid: pair.thumbprint,
      typ: AIP_TYP.session,
    });
  return { pair, jwk, jwks: { keys: [jwk] }, identity, session };
}

/** An issuer, a counting provider, a cache with `cacheOptions`, and verification options that use all three. */
async function setup(cacheOptions?: SignatureCacheOptions) {
  const iss = await issuer();
  const { crypto, verifications } = countingProvider();
  const signatureCache = createSignatureCache(cacheOptions);
  const options = { resolveKey: keysFromJwks(iss.jwks), issuer: ISS, now: NOW, crypto, signatureCache };
  return { iss, verifications, signatureCache, options };
}

test('a token is kept from its second good presentation, and then answered without a signature check', async () => {
  const { iss, verifications, signatureCache, options } = await setup();
  const token = await iss.identity();
  const first = await verifyAipToken(token, options);
  assert.deepEqual(signatureCache.stats(), { hits: 0, misses: 1, size: 0 }, 'the first presentation keeps nothing');
  await verifyAipToken(token, options);
  assert.deepEqual(signatureCache.stats(), { hits: 0, misses: 2, size: 1 });
  const third = await verifyAipToken(token, options);
  const fourth = await verifyAipToken(token, options);
  assert.equal(verifications(), 2);
  assert.deepEqual(third, first);
  assert.deepEqual(fourth, first);
  assert.notEqual(third.claims, first.claims, 'each presentation gets its own claims object');
  assert.deepEqual(signatureCache.stats(), { hits: 2, misses: 2, size: 1 });
  // Another token is checked.
  await verifyAipToken(await iss.identity(), options);
  assert.equal(verifications(), 3);
  // Without a cache every presentation is checked.
  await verifyAipToken(token, { ...options, signatureCache: undefined });
  assert.equal(verifications(), 4);
});

test('distinct tokens are not kept, nor tokens that come back only after more than the cache holds', async () => {
  const { iss, signatureCache, options } = await setup({ maxEntries: 8 });
  const tokens = await Promise.all(Array.from({ length: 200 }, () => iss.identity()));
  for (const t of tokens) await verifyAipToken(t, options);
  assert.deepEqual(signatureCache.stats(), { hits: 0, misses: 200, size: 0 });
  // A cycle of 200 through a cache of 8 would only churn it: nothing is kept.
  for (const t of tokens) await verifyAipToken(t, options);
  assert.deepEqual(signatureCache.stats(), { hits: 0, misses: 400, size: 0 });
  // Presented again at once (within 8 others), each of the first 8 is kept, and then answered.
  for (const t of tokens.slice(0, 8)) {
    await verifyAipToken(t, options);
    await verifyAipToken(t, options);
  }
  assert.deepEqual(signatureCache.stats(), { hits: 0, misses: 416, size: 8 });
  for (const t of tokens.slice(0, 8)) await verifyAipToken(t, options);
  assert.deepEqual(signatureCache.stats(), { hits: 8, misses: 416, size: 8 });
});

test('every kept token is answered, whatever other tokens share its signature slot', async () => {
  // 300 tokens over 4,096 slots: some two of them share a slot in all but about one run in e^11.
  const { iss, signatureCache, options } = await setup({ maxEntries: 300 });
  const tokens = await Promise.all(Array.from({ length: 300 }, () => iss.identity()));
  for (const t of tokens) {
    await verifyAipToken(t, options);
    await verifyAipToken(t, options);
  }
  assert.deepEqual(signatureCache.stats(), { hits: 0, misses: 600, size: 300 });
  for (const t of tokens) await verifyAipToken(t, options);
  assert.deepEqual(signatureCache.stats(), { hits: 300, misses: 600, size: 300 });
});

test('a working set as large as the cache, presented in turn, is kept whole', async () => {
  // 1,024 tokens over 8,192 doorkeeper slots (512 sets of 16), interleaved: with one fingerprint per slot, the tokens
  // that shared a slot overwrote each other's at every presentation and were never kept.
  const { iss, signatureCache, options } = await setup({ maxEntries: 1024 });
  const tokens = await Promise.all(Array.from({ length: 1024 }, () => iss.identity()));
  for (let round = 0; round < 2; round++) for (const t of tokens) await verifyAipToken(t, options);
  assert.deepEqual(signatureCache.stats(), { hits: 0, misses: 2048, size: 1024 });
  for (const t of tokens) await verifyAipToken(t, options);
  assert.deepEqual(signatureCache.stats(), { hits: 1024, misses: 2048, size: 1024 });
});

test('only a cache from createSignatureCache is taken: a hand-made one that answers yes is refused', async () => {
  const { iss, options } = await setup();
  const good = await iss.identity();
  const forged = `${good.slice(0, good.lastIndexOf('.'))}.${encodeBase64url(new Uint8Array(64).fill(3))}`;
  const yes = YES_CACHE as SignatureCache;
  const withYes = { ...options, signatureCache: yes };
  await rejectsCode(() => verifyAipToken(forged, withYes), 'INVALID_ARGUMENT');
  await rejectsCode(() => verifyJwt(forged, withYes), 'INVALID_ARGUMENT');
  await rejectsCode(() => verifyJws(forged, withYes), 'INVALID_ARGUMENT');
  assert.throws(
    () => createAipVerifier({ issuer: ISS, jwks: iss.jwks, revocations: false, signatureCache: yes }),
    (e: unknown) => isVouchError(e, 'INVALID_ARGUMENT'),
  );
});

test('a bad signature is never remembered: every presentation is checked and refused', async () => {
  const { iss, verifications, signatureCache, options } = await setup();
  const good = await iss.identity();
  const dot = good.lastIndexOf('.');
  const forged = `${good.slice(0, dot)}.${encodeBase64url(new Uint8Array(64).fill(7))}`;
  for (let i = 0; i < 3; i++) await rejectsCode(() => verifyAipToken(forged, options), 'JWT_SIGNATURE_INVALID');
  assert.equal(verifications(), 3);
  assert.equal(signatureCache.stats().size, 0);
  // The good token, once remembered, does not make its forged sibling (same signing input) pass.
  await verifyAipToken(good, options);
  await rejectsCode(() => verifyAipToken(forged, options), 'JWT_SIGNATURE_INVALID');
});

test('a remembered token under another key (same kid) is checked again, and refused', async () => {
  const iss = await issuer();
  const other = await generateKeyPair('P-256');
  const { crypto, verifications } = countingProvider();
  const signatureCache = createSignatureCache();
  const token = await iss.identity();
  const real = keysFromJwks(iss.jwks);
  const substituted = keysFromJwks({ keys: [{ ...other.publicJwk, kid: iss.pair.thumbprint }] });
  for (let i = 0; i < 2; i++) {
    await verifyAipToken(token, { resolveKey: real, issuer: ISS, now: NOW, crypto, signatureCache });
  }
  assert.equal(signatureCache.stats().size, 1);
  await rejectsCode(
    () => verifyAipToken(token, { resolveKey: substituted, issuer: ISS, now: NOW, crypto, signatureCache }),
    'JWT_SIGNATURE_INVALID',
  );
  assert.equal(verifications(), 3);
  // The same key parsed again (another object, the same bytes) is the same key.
  const reparsed = keysFromJwks(iss.jwks);
  await verifyAipToken(token, { resolveKey: reparsed, issuer: ISS, now: NOW, crypto, signatureCache });
  assert.equal(verifications(), 3);
});

test('every other check still runs on a remembered token', async () => {
  const { iss, verifications, options: base } = await setup();
  const session = await iss.session();
  await verifyAipToken(session, base);
  await verifyAipToken(session, base);
  assert.equal(verifications(), 2);
  await rejectsCode(() => verifyAipToken(session, { ...base, now: NOW + 2 * 3600_000 }), 'JWT_EXPIRED');
  await rejectsCode(() => verifyAipToken(session, { ...base, audience: 'elsewhere' }), 'JWT_AUDIENCE_MISMATCH');
  await rejectsCode(() => verifyAipToken(session, { ...base, nonce: 'n-2' }), 'JWT_NONCE_MISMATCH');
  await rejectsCode(() => verifyAipToken(session, { ...base, tokenType: 'identity' }), 'TOKEN_TYPE_MISMATCH');
  await rejectsCode(() => verifyAipToken(session, { ...base, issuer: 'https://other.example' }), 'JWT_ISSUER_MISMATCH');
  await rejectsCode(() => verifyAipToken(session, { ...base, isRevoked: () => true }), 'TOKEN_REVOKED');
  await rejectsCode(() => verifyAipToken(session, { ...base, isRevoked: async () => true }), 'TOKEN_REVOKED');
  const retired: KeyResolver = () => undefined;
  await rejectsCode(() => verifyAipToken(session, { ...base, resolveKey: retired }), 'JWT_KID_UNKNOWN');
  // None of these needed the signature again, and the token still verifies where it should.
  assert.equal(verifications(), 2);
  assert.equal((await verifyAipToken(session, { ...base, audience: 'shop', nonce: 'n-1' })).jti.length > 0, true);
});

test('verifyJws and verifyJwt take the same cache', async () => {
  const iss = await issuer();
  const { crypto, verifications } = countingProvider();
  const signatureCache = createSignatureCache();
  const resolveKey = keysFromJwks(iss.jwks);
  const token = await iss.identity();
  await verifyJws(token, { resolveKey, crypto, signatureCache, typ: AIP_TYP.identity });
  await verifyJwt(token, { resolveKey, crypto, signatureCache, issuer: ISS, now: NOW });
  await verifyAipToken(token, { resolveKey, crypto, signatureCache, issuer: ISS, now: NOW });
  assert.equal(verifications(), 2);
  await rejectsCode(
    () => verifyJwt(token, { resolveKey, crypto, signatureCache, issuer: ISS, now: NOW + 7200_000 }),
    'JWT_EXPIRED',
  );
  await rejectsCode(() => verifyJws(token, { resolveKey, crypto, signatureCache, typ: 'other' }), 'JWT_TYP_MISMATCH');
  await rejectsCode(
    () => verifyJws(token, { resolveKey, crypto, signatureCache, algorithms: ['EdDSA'] }),
    'JWT_ALG_NOT_ALLOWED',
  );
  assert.equal(verifications(), 2);
});

test('the cache is bounded: a clock drops a token not presented since the hand last passed, long tokens never kept', async () => {
  const { iss, verifications, signatureCache, options } = await setup({ maxEntries: 3 });
  const [a, b, c, d] = await Promise.all([iss.identity(), iss.identity(), iss.identity(), iss.identity()]);
  const twice = async (t: string) => {
    await verifyAipToken(t, options);
    await verifyAipToken(t, options);
  };
  for (const t of [a, b, c]) await twice(t!);
  assert.equal(verifications(), 6);
  await verifyAipToken(a!, options); // a presented again: the hand passes it over once
  await twice(d!); // kept in b's place
  assert.equal(signatureCache.stats().size, 3);
  assert.equal(verifications(), 8);
  for (const t of [a, c, d]) await verifyAipToken(t!, options);
  assert.equal(verifications(), 8);
  await verifyAipToken(b!, options);
  assert.equal(verifications(), 9);

  const short = createSignatureCache({ maxTokenLength: a!.length - 1 });
  for (let i = 0; i < 3; i++) await verifyAipToken(a!, { ...options, signatureCache: short });
  assert.deepEqual(short.stats(), { hits: 0, misses: 3, size: 0 });

  const none = createSignatureCache({ maxEntries: 0 });
  for (let i = 0; i < 3; i++) await verifyAipToken(a!, { ...options, signatureCache: none });
  assert.deepEqual(none.stats(), { hits: 0, misses: 3, size: 0 });

  signatureCache.clear();
  assert.equal(signatureCache.stats().size, 0);
  await verifyAipToken(a!, options);
  assert.equal(signatureCache.stats().size, 0, 'cleared: a is new again');
  for (const bad of [-1, 1.5, Number.NaN, Infinity]) {
    assert.throws(
      () => createSignatureCache({ maxEntries: bad }),
      (e: unknown) => isVouchError(e, 'INVALID_ARGUMENT'),
    );
    assert.throws(
      () => createSignatureCache({ maxTokenLength: bad }),
      (e: unknown) => isVouchError(e, 'INVALID_ARGUMENT'),
    );
  }
});

test('createAipVerifier remembers good signatures by default; signatureCache: false turns it off', async () => {
  const iss = await issuer();
  const token = await iss.identity();
  const run = async (signatureCache?: SignatureCache | false) => {
    const { crypto, verifications } = countingProvider();
    const verifier = createAipVerifier({
      issuer: ISS,
      jwks: iss.jwks,
      revocations: false,
      now: () => NOW,
      crypto,
      ...(signatureCache === undefined ? {} : { signatureCache }),
    });
    for (let i = 0; i < 3; i++) assert.equal((await verifier.check(token)).valid, true);
    return verifications();
  };
  assert.equal(await run(), 2);
  assert.equal(await run(false), 3);
  const shared = createSignatureCache();
  assert.equal(await run(shared), 2);
  assert.deepEqual(shared.stats(), { hits: 1, misses: 2, size: 1 });
});
