// The AIP building blocks: the pure-JS ES256 JWKS reader, the shared token checks, the issuance proof, and the
// offline verifier's fetch discipline (against a scripted fetch; the live-server tests are in aip-verifier.test.ts).
// Wycheproof JWS conformance of the underlying JWS code is in jwt.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, randomBytes, verify as nodeVerify } from 'node:crypto';
import {
  AIP_TYP,
  aipClaimName,
  aipIssueProofMessage,
  aipKeysFromJwks,
  createAipVerifier,
  createMemoryNonceStore,
  decodeBase64,
  encodeBase64url,
  es256KeyFromJwk,
  formatPublicKey,
  generateKeyPair,
  signAipIssueProof,
  signJwt,
  verifyAipToken,
} from '../src/index.ts';
import type { FetchLike } from '../src/index.ts';
import { PROVIDERS } from './providers.ts';
import { listVectorDir, readVectorJson } from './vectors.ts';
import { aipIssuer, DID, ISS, NOW, rejects, S } from './aip-fixtures.ts';

test('aipKeysFromJwks reads ES256 keys without node:crypto and refuses everything else', async () => {
  const a = await generateKeyPair('P-256');
  const ed = await generateKeyPair('Ed25519');
  const offCurve = { ...a.publicJwk, y: encodeBase64url(randomBytes(32)) };
  const set = aipKeysFromJwks({
    keys: [
      { ...a.publicJwk, kid: 'good', alg: 'ES256', use: 'sig', status: 'retired' },
      { ...a.publicJwk, kid: 'noalg' },
      { ...offCurve, kid: 'off-curve' },
      { ...a.publicJwk, kid: 'rs', alg: 'RS256' },
      { ...a.publicJwk, kid: 'enc', use: 'enc' },
      { ...a.publicJwk, kid: 'ops', key_ops: ['encrypt'] },
      { ...a.privateJwk, kid: 'private' },
      { ...ed.publicJwk, kid: 'ed' },
      { ...a.publicJwk, kid: 'dup' },
      { ...a.publicJwk, kid: 'dup' },
      { ...a.publicJwk, kid: '../etc/passwd' },
      { ...a.publicJwk, x: 'AAAA', kid: 'short' },
      null as unknown as Record<string, unknown>,
    ],
  });
  assert.deepEqual(set.kids, ['good', 'noalg']);
  const key = await set.resolveKey('good', { alg: 'ES256' });
  assert.ok(key);
  assert.equal(formatPublicKey(key, 'pem'), a.publicPem);
  for (const kid of ['off-curve', 'rs', 'enc', 'ops', 'private', 'ed', 'dup', '../etc/passwd', 'short', undefined]) {
    assert.equal(await set.resolveKey(kid, { alg: 'ES256' }), undefined, String(kid));
  }
  assert.deepEqual(aipKeysFromJwks({} as never).kids, []);
});

test('the pure-JS curve check agrees with OpenSSL on real, random and Wycheproof points', async () => {
  const onCurve = (jwk: Record<string, unknown>) => es256KeyFromJwk(jwk) !== undefined;
  const openssl = (jwk: Record<string, unknown>) => {
    try {
      createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string }, format: 'jwk' });
      return true;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 20; i++) {
    const jwk = (await generateKeyPair('P-256')).publicJwk;
    assert.ok(onCurve(jwk));
    const bent = { ...jwk, y: encodeBase64url(randomBytes(32)) };
    assert.equal(onCurve(bent), openssl(bent));
  }
  // Every P-256 public key in the Wycheproof ECDSA (P1363) and JWS files.
  let checked = 0;
  for (const name of listVectorDir('wycheproof').filter((f) => /^ecdsa_secp256r1_sha256.*\.json$/.test(f))) {
    const file = readVectorJson<{ testGroups: Array<{ publicKeyJwk?: Record<string, string> }> }>('wycheproof', name);
    for (const g of file.testGroups) {
      if (g.publicKeyJwk === undefined) continue;
      assert.equal(onCurve(g.publicKeyJwk), openssl(g.publicKeyJwk), name);
      checked++;
    }
  }
  const jws = readVectorJson<{ testGroups: Array<{ public?: Record<string, string> }> }>(
    'wycheproof',
    'json_web_signature_test.json',
  );
  for (const g of jws.testGroups) {
    if (g.public?.kty !== 'EC' || g.public.crv !== 'P-256') continue;
    assert.equal(onCurve({ ...g.public, alg: undefined, use: undefined, key_ops: undefined }), openssl(g.public));
    checked++;
  }
  assert.ok(checked >= 2, `checked ${checked} Wycheproof keys`);
});

test('verifyAipToken: identity and session tokens, on both crypto providers', async () => {
  const { jwks, sign, identity, session } = await aipIssuer();
  const { resolveKey } = aipKeysFromJwks(jwks);
  const idToken = await sign(identity);
  const sessionToken = await sign(session, AIP_TYP.session);
  for (const crypto of PROVIDERS) {
    const opts = { resolveKey, issuer: ISS, now: NOW, crypto };
    const v = await verifyAipToken(idToken, opts);
    assert.equal(v.tokenType, 'identity');
    assert.equal(v.agent, DID);
    assert.equal(v.jti, 'j-1');
    assert.equal(v.expiresAt, (S + 3600) * 1000);
    const s = await verifyAipToken(sessionToken, { ...opts, audience: 'shop', nonce: 'n-1', tokenType: 'session' });
    assert.equal(s.audience, 'shop');
    assert.equal(s.nonce, 'n-1');
  }
  // Without an issuer, the keys pin it; the namespaced claims follow the token's own iss.
  assert.equal((await verifyAipToken(idToken, { resolveKey, now: NOW })).tokenType, 'identity');
});

test('verifyAipToken: the AIP rules, each with its code', async () => {
  const { jwks, sign, identity, session } = await aipIssuer();
  const { resolveKey } = aipKeysFromJwks(jwks);
  const opts = { resolveKey, issuer: ISS, now: NOW };
  const idToken = await sign(identity);
  const sessionToken = await sign(session, AIP_TYP.session);
  const tt = aipClaimName(ISS, 'token_type');

  await rejects(verifyAipToken(idToken, { ...opts, audience: 'shop' }), 'TOKEN_TYPE_MISMATCH');
  await rejects(verifyAipToken(idToken, { ...opts, tokenType: 'session' }), 'TOKEN_TYPE_MISMATCH');
  // No AIP token lives longer than 24 h (the longest expires_in): exactly that is fine, a second more is not.
  const day = { ...identity, exp: (identity.iat as number) + 86_400 };
  assert.equal((await verifyAipToken(await sign(day), opts)).jti, 'j-1');
  const longer = await sign({ ...day, exp: (day.exp as number) + 1 });
  await rejects(verifyAipToken(longer, opts), 'TOKEN_LIFETIME_EXCEEDED');
  await rejects(verifyAipToken(longer, { ...opts, crypto: PROVIDERS[1] }), 'TOKEN_LIFETIME_EXCEEDED');
  await rejects(verifyAipToken(sessionToken, { ...opts, audience: 'bank' }), 'JWT_AUDIENCE_MISMATCH');
  await rejects(verifyAipToken(sessionToken, { ...opts, nonce: 'n-2' }), 'JWT_NONCE_MISMATCH');
  await rejects(verifyAipToken(await sign(session, AIP_TYP.identity), opts), 'TOKEN_TYPE_MISMATCH');
  await rejects(verifyAipToken(await sign(identity, AIP_TYP.session), opts), 'TOKEN_TYPE_MISMATCH');
  await rejects(verifyAipToken(await sign({ ...identity, [tt]: undefined }), opts), 'JWT_CLAIM_INVALID');
  await rejects(verifyAipToken(await sign({ ...identity, aud: 'x' }), opts), 'JWT_CLAIM_INVALID');
  await rejects(verifyAipToken(await sign({ ...identity, nonce: 'x' }), opts), 'JWT_CLAIM_INVALID');
  await rejects(verifyAipToken(await sign({ ...session, aud: ['a'] }, AIP_TYP.session), opts), 'JWT_CLAIM_INVALID');
  await rejects(verifyAipToken(await sign({ ...session, aud: undefined }, AIP_TYP.session), opts), 'JWT_CLAIM_INVALID');
  await rejects(
    verifyAipToken(await sign({ ...identity, [aipClaimName(ISS, 'model_providers')]: 'x' }), opts),
    'JWT_CLAIM_INVALID',
  );
  await rejects(verifyAipToken(await sign(identity, 'JWT'), opts), 'JWT_TYP_MISMATCH');
  await rejects(verifyAipToken(idToken, { ...opts, now: NOW + 3661_000 }), 'JWT_EXPIRED');
  await rejects(verifyAipToken(idToken, { ...opts, issuer: 'https://other.example' }), 'JWT_ISSUER_MISMATCH');
  await rejects(verifyAipToken(idToken, { ...opts, isRevoked: (jti) => jti === 'j-1' }), 'TOKEN_REVOKED');
  // The revocation check runs last: a forged token never reaches it.
  let asked = false;
  const other = await generateKeyPair('P-256');
  const forged = await signJwt(identity, other.privateKey, { kid: jwks.keys[0]!.kid, typ: AIP_TYP.identity });
  await rejects(verifyAipToken(forged, { ...opts, isRevoked: () => (asked = true) }), 'JWT_SIGNATURE_INVALID');
  assert.equal(asked, false);
});

test('the issuance proof string and signature', async () => {
  const agent = await generateKeyPair('Ed25519');
  assert.equal(
    aipIssueProofMessage({ did: DID, tokenType: 'session', audience: 'shop', signedAt: 1767225600000 }),
    `aip-issue:${DID}:session:shop:1767225600000`,
  );
  assert.equal(aipIssueProofMessage({ did: DID, tokenType: 'identity', signedAt: 5 }), `aip-issue:${DID}:identity::5`);
  const { proof, signedAt } = await signAipIssueProof(agent.privateKey, {
    did: DID,
    tokenType: 'identity',
    signedAt: 7,
  });
  assert.equal(signedAt, 7);
  assert.ok(
    nodeVerify(
      null,
      Buffer.from(`aip-issue:${DID}:identity::7`),
      createPublicKey(agent.publicPem),
      decodeBase64(proof),
    ),
  );
  assert.throws(() => aipIssueProofMessage({ did: DID, tokenType: 'x' as never, signedAt: 1 }), {
    code: 'INVALID_ARGUMENT',
  });
  assert.throws(() => aipIssueProofMessage({ did: DID, tokenType: 'identity', signedAt: 1.5 }), {
    code: 'INVALID_ARGUMENT',
  });
  const p256 = await generateKeyPair('P-256');
  await rejects(
    signAipIssueProof(p256.privateKey, { did: DID, tokenType: 'identity', signedAt: 1 }),
    'INVALID_ARGUMENT',
  );
});

test('createMemoryNonceStore consumes a nonce once per audience', () => {
  let now = 0;
  const store = createMemoryNonceStore(() => now);
  assert.equal(store.consume('a', 'n', 1000), true);
  assert.equal(store.consume('a', 'n', 1000), false);
  assert.equal(store.consume('b', 'n', 1000), true);
  now = 1000 + 600_000;
  assert.equal(store.consume('a', 'n', 1000), false, 'held to the last millisecond of its margin');
  now = 1000 + 600_001;
  assert.equal(store.consume('a', 'n', 5000_000), true, 'forgotten long after its token expired');
});

test('createMemoryNonceStore: thousands of live nonces stay refused across its sweeps; expired ones are forgotten', () => {
  let now = 0;
  const store = createMemoryNonceStore(() => now);
  // Two generations: the first expires at 1,000, the second lives on. Sweeps run as the map grows past 1,024, 2,048...
  for (let i = 0; i < 3000; i++) assert.equal(store.consume('a', `old-${i}`, 1000), true);
  now = 1000 + 600_001;
  for (let i = 0; i < 5000; i++) assert.equal(store.consume('a', `live-${i}`, 10_000_000), true);
  for (let i = 0; i < 5000; i += 97) assert.equal(store.consume('a', `live-${i}`, 10_000_000), false, `live-${i}`);
  for (let i = 0; i < 3000; i += 101) assert.equal(store.consume('a', `old-${i}`, 10_000_000), true, `old-${i}`);
});

/** A scripted issuer: discovery, JWKS and revocation list, counting requests and failing on demand. */
function scriptedIssuer(jwks: { keys: unknown[] }) {
  const calls: string[] = [];
  const state = {
    jwks,
    revoked: [] as Array<{ jti: string; exp: number }>,
    down: false,
    discovery: {
      protocol: 'agent-identity-v2',
      issuer: ISS,
      jwks_uri: `${ISS}/.well-known/jwks.json`,
      revocations_endpoint: `${ISS}/api/registry/revocations`,
    } as Record<string, unknown>,
  };
  const respond = (status: number, body?: unknown, etag?: string) => ({
    status,
    headers: { get: (n: string) => (n === 'etag' ? (etag ?? null) : null) },
    text: async () => (body === undefined ? '' : JSON.stringify(body)),
  });
  const fetch: FetchLike = async (url, init) => {
    calls.push(url);
    if (state.down) throw new TypeError('fetch failed');
    const u = new URL(url);
    if (u.pathname === '/.well-known/agent-registry.json') return respond(200, state.discovery);
    if (u.pathname === '/.well-known/jwks.json') return respond(200, state.jwks);
    if (u.pathname === '/api/registry/revocations') {
      const after = Number(u.searchParams.get('since') ?? '0');
      const page = state.revoked.slice(after, after + 2);
      const body = {
        revoked: page.map((r) => ({ ...r, revoked_at: '2026-01-01T00:00:00.000Z', reason: null })),
        count: page.length,
        cursor: String(after + page.length),
        has_more: after + page.length < state.revoked.length,
      };
      const etag = `"${after}-${state.revoked.length}"`;
      if (init.headers['if-none-match'] === etag) return respond(304);
      return respond(200, body, etag);
    }
    return respond(404, { error: 'no', code: 'NOT_FOUND' });
  };
  return { fetch, calls, state };
}

test('createAipVerifier: discovery, key refresh on unknown kid (rate-limited), revocation sync by cursor', async () => {
  const a = await aipIssuer();
  const b = await aipIssuer();
  const issuerState = scriptedIssuer(a.jwks);
  let now = NOW;
  const verifier = createAipVerifier({ issuer: `${ISS}/`, fetch: issuerState.fetch, now: () => now });

  const ok = await verifier.check(await a.sign(a.identity));
  assert.deepEqual(ok, { valid: true, claims: a.identity });
  assert.deepEqual(
    issuerState.calls.map((c) => new URL(c).pathname),
    ['/.well-known/agent-registry.json', '/.well-known/jwks.json', '/api/registry/revocations'],
  );

  // Rotation: a kid the cached JWKS lacks. Within the refresh interval it is simply unknown; afterwards one refetch.
  issuerState.state.jwks = { keys: [a.jwk, b.jwk] };
  const fromB = await b.sign(b.identity);
  assert.equal((await verifier.check(fromB)).valid, false);
  now += 29_000;
  const junk = await verifier.check(fromB);
  assert.deepEqual([junk.valid, !junk.valid && junk.code], [false, 'JWT_KID_UNKNOWN']);
  const jwksFetches = () => issuerState.calls.filter((c) => c.endsWith('jwks.json')).length;
  assert.equal(jwksFetches(), 1, 'no refetch within 30 s');
  now += 1000;
  assert.equal((await verifier.check(fromB)).valid, true);
  assert.equal(jwksFetches(), 2);

  // Revocations: synced through the cursor when the local copy is older than 30 s.
  issuerState.state.revoked.push({ jti: 'j-1', exp: S + 3600 }, { jti: 'x', exp: S + 3600 }, { jti: 'y', exp: S + 60 });
  const token = await a.sign(a.identity);
  assert.equal((await verifier.check(token)).valid, true, 'not yet synced');
  now += 30_000;
  const revoked = await verifier.check(token);
  assert.deepEqual([revoked.valid, !revoked.valid && revoked.code], [false, 'TOKEN_REVOKED']);
  assert.ok(verifier.isRevoked('y'));
  const revocationCalls = issuerState.calls.filter((c) => c.includes('revocations'));
  assert.ok(revocationCalls.at(-1)!.endsWith('since=2'), 'paged on from the cursor');
  // Unchanged list: a 304, and entries forgotten once their token expired.
  now += 60_000 + 61_000;
  const before = issuerState.calls.length;
  await verifier.syncRevocations();
  assert.equal(issuerState.calls.length, before + 1);
  assert.ok(!verifier.isRevoked('y'), 'expired entries are dropped');
  assert.ok(verifier.isRevoked('j-1'));
});

test('createAipVerifier fails closed when the revocation list is stale and unreachable', async () => {
  const a = await aipIssuer();
  const scripted = scriptedIssuer(a.jwks);
  let now = NOW;
  const verifier = createAipVerifier({ issuer: ISS, fetch: scripted.fetch, now: () => now });
  const token = await a.sign({ ...a.identity, exp: S + 86_400 });
  assert.equal((await verifier.check(token)).valid, true);
  scripted.state.down = true;
  now += 60_000;
  assert.equal((await verifier.check(token)).valid, true, 'a 1-minute-old list is still usable');
  now += 300_000;
  const stale = await verifier.check(token);
  assert.deepEqual([stale.valid, !stale.valid && stale.code], [false, 'AIP_FETCH_FAILED']);
  // A fresh verifier that never reached the issuer refuses too.
  const cold = createAipVerifier({ issuer: ISS, jwks: a.jwks, fetch: scripted.fetch, now: () => now });
  const coldResult = await cold.check(token);
  assert.deepEqual([coldResult.valid, !coldResult.valid && coldResult.code], [false, 'AIP_FETCH_FAILED']);
  // Unless the revocation check is explicitly off.
  const offline = createAipVerifier({ jwks: a.jwks, revocations: false, now: () => now });
  assert.equal((await offline.check(token)).valid, true);
});

test('createAipVerifier refuses bad discovery documents and bad options', async () => {
  const a = await aipIssuer();
  const token = await a.sign(a.identity);
  for (const [patch, what] of [
    [{ issuer: 'https://evil.example' }, 'another issuer'],
    [{ jwks_uri: 'https://evil.example/jwks.json' }, 'cross-origin jwks_uri'],
    [{ revocations_endpoint: 'not a url' }, 'bad revocations_endpoint'],
    [{ protocol: 'v1' }, 'another protocol'],
  ] as const) {
    const scripted = scriptedIssuer(a.jwks);
    Object.assign(scripted.state.discovery, patch);
    const r = await createAipVerifier({ issuer: ISS, fetch: scripted.fetch, now: () => NOW }).check(token);
    assert.deepEqual([r.valid, !r.valid && r.code], [false, 'AIP_RESPONSE_INVALID'], what);
  }
  assert.throws(() => createAipVerifier({}), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => createAipVerifier({ issuer: 'not a url' }), { code: 'INVALID_ARGUMENT' });
  assert.throws(
    () => createAipVerifier({ jwks: a.jwks }),
    { code: 'INVALID_ARGUMENT' },
    'no silent skip of revocation',
  );
  assert.throws(() => createAipVerifier({ issuer: ISS, keysMaxAgeMs: -1 }), { code: 'INVALID_ARGUMENT' });

  // With a nonce store, a session nonce passes once.
  const nonceStore = createMemoryNonceStore(() => NOW);
  const v = createAipVerifier({ jwks: a.jwks, revocations: false, now: () => NOW, nonceStore });
  const session = await a.sign(a.session, AIP_TYP.session);
  assert.equal((await v.check(session, { audience: 'shop' })).valid, true);
  const replay = await v.check(session, { audience: 'shop' });
  assert.deepEqual([replay.valid, !replay.valid && replay.code], [false, 'NONCE_REPLAYED']);
});
