import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import {
  decodeJwt,
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
import { PROVIDERS } from './providers.ts';
import { readVectorJson } from './vectors.ts';

interface JwsVectorFile {
  testGroups: Array<{
    public?: Record<string, unknown>;
    tests: Array<{ tcId: number; comment: string; jws: string | object; result: 'valid' | 'invalid' }>;
  }>;
}

// Upstream labels are wrong for these (see shared/vectors/README.md): skipped by name.
const MISLABELED = new Set([367, 370, 372, 373]);

for (const crypto of PROVIDERS) {
  test(`Wycheproof JWS: every valid ES256 case accepted; every invalid and every non-ES256 case rejected [${crypto.name}]`, async (t) => {
    const file = readVectorJson<JwsVectorFile>('wycheproof', 'json_web_signature_test.json');
    const fallback = (await generateKeyPair('P-256')).publicKey;
    let esValid = 0;
    let rejected = 0;
    let skipped = 0;
    const wrong: string[] = [];
    for (const group of file.testGroups) {
      const pub = group.public;
      // The group's key goes through the same JWKS filter a verifier uses (use, key_ops, alg), then is handed
      // to the verifier whatever the token's kid says, so only the token and the key's own metadata decide.
      const jwks = pub ? keysFromJwks({ keys: [{ ...pub, kid: 'k' }] }) : undefined;
      const isEs256 = pub?.alg === 'ES256' && pub?.crv === 'P-256';
      const resolveKey: KeyResolver = (_kid, header) => (jwks ? jwks('k', header) : fallback);
      for (const tc of group.tests) {
        if (MISLABELED.has(tc.tcId)) {
          skipped++;
          continue;
        }
        const expectValid = isEs256 && tc.result === 'valid';
        let accepted = false;
        try {
          if (typeof tc.jws !== 'string') throw new Error('JSON serialization is not accepted');
          await verifyJws(tc.jws, { resolveKey, crypto });
          accepted = true;
        } catch (err) {
          if (typeof tc.jws === 'string') assert.ok(isVouchError(err), `tcId ${tc.tcId} threw a non-Vouch error`);
        }
        if (accepted !== expectValid) wrong.push(`tcId ${tc.tcId} (${tc.comment}): accepted=${accepted}`);
        if (expectValid) esValid++;
        else rejected++;
      }
    }
    t.diagnostic(
      `Wycheproof JWS [${crypto.name}]: ${esValid + rejected - wrong.length}/${esValid + rejected} classified correctly ` +
        `(${esValid} valid ES256 accepted, ${rejected} invalid or non-ES256 rejected, ${skipped} mislabeled skipped)`,
    );
    assert.deepEqual(wrong, []);
    assert.equal(skipped, 4);
    assert.ok(esValid >= 1);
  });
}

const ISS = 'https://vouch.example';
const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;

async function setup() {
  const pair = await generateKeyPair('P-256');
  const jwk = { ...formatPublicKey(pair.publicKey, 'jwk'), kid: pair.thumbprint, alg: 'ES256', use: 'sig' };
  const resolveKey = keysFromJwks({ keys: [jwk] });
  const claims = { iss: ISS, sub: 'did:identity:abc', iat: S, exp: S + 3600, jti: 'j1' };
  const token = await signJwt(claims, pair.privateKey, { kid: pair.thumbprint, typ: 'agent-identity+jwt' });
  return { pair, jwk, resolveKey, claims, token };
}

async function rejects(p: Promise<unknown>, code: VouchErrorCode) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isVouchError(err), String(err));
    assert.equal(err.code, code);
    return true;
  });
}

function forge(header: object, payload: object, signature = 'AAAA'): string {
  return `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(JSON.stringify(payload))}.${signature}`;
}

test('a signed JWT verifies and decodes', async () => {
  const { token, resolveKey, claims } = await setup();
  const { header, claims: got } = await verifyJwt(token, {
    resolveKey,
    issuer: ISS,
    now: NOW,
    typ: 'agent-identity+jwt',
  });
  assert.equal(header.alg, 'ES256');
  assert.deepEqual(got, claims);
  assert.deepEqual(decodeJwt(token).claims, claims);
});

test('attack tokens are rejected, each with its own code', async () => {
  const { token, resolveKey, claims, jwk, pair } = await setup();
  const opts = { resolveKey, issuer: ISS, now: NOW };
  const [h, p, s] = token.split('.') as [string, string, string];

  for (const alg of ['none', 'NONE', 'None', 'nOnE']) {
    await rejects(verifyJwt(forge({ alg, kid: jwk.kid }, claims, ''), opts), 'JWT_MALFORMED'); // empty signature
    await rejects(verifyJwt(forge({ alg, kid: jwk.kid }, claims), opts), 'JWT_ALG_NOT_ALLOWED');
  }
  // HS256 "signed" with the public key's bytes as the HMAC secret.
  const pem = formatPublicKey(pair.publicKey, 'pem');
  const hsInput = `${encodeBase64url(JSON.stringify({ alg: 'HS256', kid: jwk.kid }))}.${p}`;
  const hsSig = createHmac('sha256', pem).update(hsInput).digest('base64url');
  await rejects(verifyJwt(`${hsInput}.${hsSig}`, opts), 'JWT_ALG_NOT_ALLOWED');

  // Embedded keys and key URLs: an attacker's own key must never be used.
  const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const attackerJwk = attacker.publicKey.export({ format: 'jwk' });
  for (const extra of [
    { jwk: attackerJwk },
    { jku: 'https://evil.example/jwks' },
    { x5u: 'https://evil.example/c' },
    { crit: ['exp'] },
  ]) {
    const hdr = { alg: 'ES256', kid: jwk.kid, ...extra };
    const input = `${encodeBase64url(JSON.stringify(hdr))}.${p}`;
    const sig = createSign('sha256').update(input).sign({ key: attacker.privateKey, dsaEncoding: 'ieee-p1363' });
    await rejects(verifyJwt(`${input}.${encodeBase64url(sig)}`, opts), 'JWT_HEADER_FORBIDDEN');
  }
  // kid with path or SQL characters, or unknown.
  for (const kid of ['../../etc/passwd', "x' OR '1'='1", 'unknown-kid', '']) {
    await rejects(verifyJwt(forge({ alg: 'ES256', kid }, claims, s), opts), 'JWT_KID_UNKNOWN');
  }
  // Psychic signature: r = s = 0.
  await rejects(verifyJwt(`${h}.${p}.${encodeBase64url(new Uint8Array(64))}`, opts), 'JWT_SIGNATURE_INVALID');
  // Re-encoded base64url: padding, or a non-canonical last character, of a valid token.
  await rejects(verifyJwt(`${h}.${p}.${s}=`, opts), 'JWT_MALFORMED');
  await rejects(verifyJwt(`${h}=.${p}.${s}`, opts), 'JWT_MALFORMED');
  const last = s[s.length - 1]!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bumped = alphabet[alphabet.indexOf(last) + 1]!; // same decoded bytes only if the low bits are ignored
  await rejects(verifyJwt(`${h}.${p}.${s.slice(0, -1)}${bumped}`, opts), 'JWT_MALFORMED');
  // Oversize, wrong shape.
  await rejects(verifyJwt(`${h}.${'A'.repeat(9000)}.${s}`, opts), 'JWT_TOO_LARGE');
  await rejects(verifyJwt(`${h}.${p}`, opts), 'JWT_MALFORMED');
  await rejects(verifyJwt(`${h}.${p}.${s}.x`, opts), 'JWT_MALFORMED');
  const dupHeader = `${encodeBase64url('{"alg":"ES256","alg":"none"}')}.${p}.${s}`;
  await rejects(verifyJwt(dupHeader, opts), 'JWT_MALFORMED');
  // Signature over other claims.
  await rejects(
    verifyJwt(
      forge(JSON.parse(Buffer.from(h, 'base64url').toString()), { ...claims, sub: 'did:identity:evil' }, s),
      opts,
    ),
    'JWT_SIGNATURE_INVALID',
  );
});

test('claims: expiry, not-before, issuer, audience, nonce, typ, skew', async () => {
  const { pair, resolveKey } = await setup();
  const sign = (c: object, typ = 'agent-session+jwt') =>
    signJwt(c as never, pair.privateKey, { kid: pair.thumbprint, typ });
  const base = { iss: ISS, sub: 'did:identity:abc', iat: S, exp: S + 600, jti: 'j2', aud: 'shop', nonce: 'n-1' };
  const opts = { resolveKey, issuer: ISS, now: NOW };
  const token = await sign(base);
  await verifyJwt(token, { ...opts, audience: 'shop', nonce: 'n-1', typ: 'agent-session+jwt' });

  await rejects(verifyJwt(token, { ...opts, typ: 'agent-identity+jwt' }), 'JWT_TYP_MISMATCH');
  await rejects(verifyJwt(token, { ...opts, audience: 'bank' }), 'JWT_AUDIENCE_MISMATCH');
  await rejects(verifyJwt(token, { ...opts, nonce: 'n-2' }), 'JWT_NONCE_MISMATCH');
  await rejects(verifyJwt(token, { ...opts, issuer: 'https://other.example' }), 'JWT_ISSUER_MISMATCH');
  // Expiry with 60 s skew: valid until exp + 60 s, expired from then on.
  await verifyJwt(token, { ...opts, now: NOW + 659_000 });
  await rejects(verifyJwt(token, { ...opts, now: NOW + 660_000 }), 'JWT_EXPIRED');
  await rejects(verifyJwt(token, { ...opts, now: NOW + 601_000, clockSkewSeconds: 0 }), 'JWT_EXPIRED');
  await rejects(verifyJwt(await sign({ ...base, nbf: S + 120 }), opts), 'JWT_NOT_YET_VALID');
  await verifyJwt(await sign({ ...base, nbf: S + 30 }), opts);
  await rejects(verifyJwt(await sign({ ...base, iat: S + 120 }), opts), 'JWT_ISSUED_IN_FUTURE');
  await rejects(verifyJwt(await sign({ ...base, exp: '9999999999' }), opts), 'JWT_CLAIM_INVALID');
  const { jti: _jti, ...noJti } = base;
  await rejects(verifyJwt(await sign(noJti), opts), 'JWT_CLAIM_INVALID');
  await rejects(verifyJwt(await sign({ ...base, aud: ['a', 1] }), opts), 'JWT_CLAIM_INVALID');
  await verifyJwt(await sign({ ...base, aud: ['bank', 'shop'] }), { ...opts, audience: 'shop' });
});

test('keysFromJwks picks keys strictly by kid and ignores encryption keys, bad keys and duplicated kids', async () => {
  const a = await generateKeyPair('P-256');
  const b = await generateKeyPair('P-256');
  const resolve = keysFromJwks({
    keys: [
      { ...a.publicJwk, kid: 'a', use: 'sig' },
      { ...b.publicJwk, kid: 'b', use: 'enc' },
      { ...a.publicJwk, kid: 'dup' },
      { ...b.publicJwk, kid: 'dup' },
      { kty: 'EC', crv: 'P-256', x: 'bad', y: 'bad', kid: 'broken' },
    ],
  });
  assert.ok(await resolve('a', { alg: 'ES256' }));
  for (const kid of ['b', 'dup', 'broken', 'A', undefined])
    assert.equal(await resolve(kid, { alg: 'ES256' }), undefined);
  const ed = await generateKeyPair('Ed25519');
  const token = await signJwt({ iss: ISS, sub: 's', iat: S, exp: S + 60, jti: 'j' }, ed.privateKey, { kid: 'e' });
  const edResolver = keysFromJwks({ keys: [{ ...ed.publicJwk, kid: 'e' }] });
  await rejects(verifyJwt(token, { resolveKey: edResolver, issuer: ISS, now: NOW }), 'JWT_ALG_NOT_ALLOWED');
  await verifyJwt(token, { resolveKey: edResolver, issuer: ISS, now: NOW, algorithms: ['EdDSA'] });
  // An ES256 header naming an Ed25519 key is refused before any signature check.
  const p256 = await generateKeyPair('P-256');
  const es = await signJwt({ iss: ISS, sub: 's', iat: S, exp: S + 60, jti: 'j' }, p256.privateKey, { kid: 'e' });
  await rejects(
    verifyJwt(es, { resolveKey: edResolver, issuer: ISS, now: NOW, algorithms: ['ES256', 'EdDSA'] }),
    'JWT_ALG_NOT_ALLOWED',
  );
});
