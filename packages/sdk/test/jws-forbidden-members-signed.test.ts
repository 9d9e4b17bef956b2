// Every header member that verifyJws never honours (a key carried or pointed at by the token, demanded extensions,
// b64) is refused with JWT_HEADER_FORBIDDEN even on a token the trusted key itself signed. jwt.test.ts checks jwk,
// jku, x5u and crit on tokens an attacker signed, where a dropped check would still fail (JWT_SIGNATURE_INVALID, a
// different code). Found by mutation testing: removing "b64" (or x5c, x5t, x5t#S256) from the forbidden list left
// every test passing, and a genuine token with b64: false was then accepted, its payload read as base64url although
// RFC 7797 says the signer meant it unencoded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeBase64url,
  encodeUtf8,
  formatPublicKey,
  generateKeyPair,
  getDefaultCrypto,
  isVouchError,
  keysFromJwks,
  verifyJws,
  verifyJwt,
} from '../src/index.ts';
import type { SignatureAlgorithm } from '../src/index.ts';

const ISS = 'https://vouch.example';
const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;
const claims = { iss: ISS, sub: 'did:identity:abc', iat: S, exp: S + 600, jti: 'j1' };

const FORBIDDEN: Array<Record<string, unknown>> = [
  { jwk: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' } },
  { jku: 'https://evil.example/jwks' },
  { x5u: 'https://evil.example/cert' },
  { x5c: ['MIIB'] },
  { x5t: 'dGh1bWJwcmludA' },
  { 'x5t#S256': 'dGh1bWJwcmludA' },
  { crit: ['exp'] },
  { b64: false },
  { b64: true },
];

for (const type of ['Ed25519', 'P-256'] as const) {
  test(`${type}: a token signed by the trusted key but carrying a forbidden header member is refused`, async () => {
    const pair = await generateKeyPair(type);
    const alg: SignatureAlgorithm = type === 'Ed25519' ? 'EdDSA' : 'ES256';
    const jwk = { ...formatPublicKey(pair.publicKey, 'jwk'), kid: pair.thumbprint };
    const resolveKey = keysFromJwks({ keys: [jwk] });
    const payload = encodeBase64url(JSON.stringify(claims));
    const signed = async (header: Record<string, unknown>) => {
      const input = `${encodeBase64url(JSON.stringify(header))}.${payload}`;
      const signature = await getDefaultCrypto().sign(alg, pair.privateKey, encodeUtf8(input));
      return `${input}.${encodeBase64url(signature)}`;
    };
    const opts = { resolveKey, algorithms: [alg], issuer: ISS, now: NOW };
    // The same token without the extra member verifies: the refusals below are the member's alone.
    const plain = await signed({ alg, kid: pair.thumbprint });
    await verifyJws(plain, opts);
    await verifyJwt(plain, opts);
    for (const extra of FORBIDDEN) {
      const token = await signed({ alg, kid: pair.thumbprint, ...extra });
      for (const verify of [verifyJws, verifyJwt]) {
        await assert.rejects(
          verify(token, opts),
          (err: unknown) => isVouchError(err) && err.code === 'JWT_HEADER_FORBIDDEN',
          `${verify.name} ${JSON.stringify(extra)}`,
        );
      }
    }
  });
}
