// Gaps found by mutation testing in the signature cache's callers (jwt/verify-jws.ts): verifyJws and verifyJwt must
// never remember a signature that failed, however often its token is presented (verifyAipToken's own path is covered
// in signature-cache.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AIP_TYP,
  createSignatureCache,
  encodeBase64url,
  generateKeyPair,
  keysFromJwks,
  signJwt,
  verifyJws,
  verifyJwt,
} from '../src/index.ts';
import { rejectsCode } from './vectors.ts';

const ISS = 'https://vouch.example';
const NOW = Date.UTC(2026, 0, 1);

test('verifyJws and verifyJwt never remember a bad signature: each presentation is refused', async () => {
  const pair = await generateKeyPair('P-256');
  const resolveKey = keysFromJwks({ keys: [{ ...pair.publicJwk, kid: pair.thumbprint, alg: 'ES256', use: 'sig' }] });
  const good = await signJwt(
    { iss: ISS, sub: 'did:identity:abcdefghijklmnopqrstuvwxya', iat: NOW / 1000, exp: NOW / 1000 + 3600, jti: 'j-1' },
    pair.privateKey,
    { kid: pair.thumbprint, typ: AIP_TYP.identity },
  );
  const forged = `${good.slice(0, good.lastIndexOf('.'))}.${encodeBase64url(new Uint8Array(64).fill(7))}`;
  for (const verify of [
    (signatureCache: ReturnType<typeof createSignatureCache>) => verifyJws(forged, { resolveKey, signatureCache }),
    (signatureCache: ReturnType<typeof createSignatureCache>) =>
      verifyJwt(forged, { resolveKey, signatureCache, issuer: ISS, now: NOW }),
  ]) {
    const signatureCache = createSignatureCache();
    for (let i = 0; i < 4; i++) await rejectsCode(() => verify(signatureCache), 'JWT_SIGNATURE_INVALID');
    assert.equal(signatureCache.stats().size, 0);
    assert.equal(signatureCache.stats().hits, 0);
  }
});
