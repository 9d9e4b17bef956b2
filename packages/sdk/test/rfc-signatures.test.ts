import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeBase64url,
  decodeHex,
  decodeUtf8,
  encodeBase64url,
  encodeHex,
  encodeUtf8,
  formatPublicKey,
  jwkThumbprint,
  parsePrivateKey,
  parsePublicKey,
  privateKeyFromRaw,
  type CryptoProvider,
  type PublicKey,
} from '../src/index.ts';
import { PROVIDERS } from './providers.ts';
import { readVectorJson } from './vectors.ts';

interface Rfc8032 {
  vectors: { name: string; secretKey: string; publicKey: string; message: string; signature: string }[];
}
interface Rfc7515A3 {
  jwk: { kty: string; crv: string; x: string; y: string; d: string };
  protectedHeader: Record<string, string>;
  payloadJson: string;
  compact: string;
  sIsHigh: boolean;
}
interface Rfc8037A4 {
  input: { payload: string; key: Record<string, string>; alg: string };
  signing: { protected: Record<string, string>; protected_b64u: string; 'sig-input': string; sig: string };
  output: { compact: string };
}

const rfc8032 = readVectorJson<Rfc8032>('rfc', 'rfc8032_ed25519_7.1.json');
const rfc7515 = readVectorJson<Rfc7515A3>('rfc', 'rfc7515_A3_es256.json');
const rfc8037 = readVectorJson<Rfc8037A4>('rfc', 'rfc8037_A4_ed25519_jws.json');

// Order of the P-256 group (FIPS 186-4 D.1.2.3).
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** Verifies a compact JWS's signature over `header.payload` (claims are not checked here). */
async function verifyCompactJws(
  provider: CryptoProvider,
  compact: string,
  key: PublicKey,
): Promise<{ ok: boolean; header: unknown }> {
  const [h, p, s, extra] = compact.split('.');
  assert.equal(extra, undefined);
  const header = JSON.parse(decodeUtf8(decodeBase64url(h!))) as { alg: 'EdDSA' | 'ES256' };
  const ok = await provider.verify(header.alg, key, decodeBase64url(s!), encodeUtf8(`${h}.${p}`));
  return { ok, header };
}

describe('RFC 8032 §7.1 Ed25519', () => {
  for (const provider of PROVIDERS) {
    test(`TEST 1, 2, 3 and 1024 reproduced byte for byte from the secret keys [${provider.name}]`, async (t) => {
      let reproduced = 0;
      for (const v of rfc8032.vectors) {
        const key = privateKeyFromRaw('Ed25519', decodeHex(v.secretKey));
        assert.equal(encodeHex(formatPublicKey(key.publicKey, 'raw')), v.publicKey, `${v.name}: public key`);
        const sig = await provider.sign('EdDSA', key, decodeHex(v.message));
        assert.equal(encodeHex(sig), v.signature, `${v.name}: signature`);
        assert.equal(await provider.verify('EdDSA', key.publicKey, sig, decodeHex(v.message)), true);
        reproduced++;
      }
      t.diagnostic(`RFC 8032 §7.1 [${provider.name}]: ${reproduced}/${rfc8032.vectors.length} signatures reproduced`);
      assert.deepEqual(
        rfc8032.vectors.map((v) => v.name.replace('RFC 8032 §7.1 ', '')),
        ['TEST 1', 'TEST 2', 'TEST 3', 'TEST 1024'],
      );
    });
  }
});

describe('RFC 7515 Appendix A.3 (ES256 JWS, high-S signature)', () => {
  const { d: _d, ...publicJwk } = rfc7515.jwk;

  test('the example signature really is high-S (so the next test proves low-S is not enforced)', () => {
    const s = BigInt('0x' + encodeHex(decodeBase64url(rfc7515.compact.split('.')[2]!).subarray(32)));
    assert.equal(rfc7515.sIsHigh, true);
    assert.ok(s > P256_N / 2n);
  });

  for (const provider of PROVIDERS) {
    test(`verifies with the JWK's public key; the low-S twin verifies too; tampering fails [${provider.name}]`, async (t) => {
      const key = parsePublicKey(publicJwk, { type: 'P-256' });
      const { ok, header } = await verifyCompactJws(provider, rfc7515.compact, key);
      assert.deepEqual(header, rfc7515.protectedHeader);
      assert.equal(decodeUtf8(decodeBase64url(rfc7515.compact.split('.')[1]!)), rfc7515.payloadJson);
      assert.equal(ok, true);
      t.diagnostic(`RFC 7515 A.3 ES256 [${provider.name}]: verified (high-S accepted)`);

      // (r, n - s) is the other valid signature of the same message.
      const [h, p, s] = rfc7515.compact.split('.') as [string, string, string];
      const sig = decodeBase64url(s);
      const lowS = P256_N - BigInt('0x' + encodeHex(sig.subarray(32)));
      const twin = new Uint8Array(64);
      twin.set(sig.subarray(0, 32));
      twin.set(decodeHex(lowS.toString(16).padStart(64, '0')), 32);
      assert.equal(await provider.verify('ES256', key, twin, encodeUtf8(`${h}.${p}`)), true);

      assert.equal(await provider.verify('ES256', key, sig, encodeUtf8(`${h}.${p}x`)), false);
      // The private key (with d) signs fresh, randomized signatures that verify.
      const priv = parsePrivateKey(rfc7515.jwk, { type: 'P-256' });
      const fresh = await provider.sign('ES256', priv, encodeUtf8(`${h}.${p}`));
      assert.equal(await provider.verify('ES256', key, fresh, encodeUtf8(`${h}.${p}`)), true);
    });
  }
});

describe('RFC 8037 Appendix A.4 (EdDSA JWS)', () => {
  for (const provider of PROVIDERS) {
    test(`is reproduced byte for byte and verifies [${provider.name}]`, async (t) => {
      const key = parsePrivateKey(rfc8037.input.key, { type: 'Ed25519' });
      assert.equal(encodeBase64url(JSON.stringify(rfc8037.signing.protected)), rfc8037.signing.protected_b64u);
      const signingInput = `${rfc8037.signing.protected_b64u}.${encodeBase64url(rfc8037.input.payload)}`;
      assert.equal(signingInput, rfc8037.signing['sig-input']);
      const sig = encodeBase64url(await provider.sign('EdDSA', key, encodeUtf8(signingInput)));
      assert.equal(sig, rfc8037.signing.sig);
      assert.equal(`${signingInput}.${sig}`, rfc8037.output.compact);

      const { ok } = await verifyCompactJws(provider, rfc8037.output.compact, key.publicKey);
      assert.equal(ok, true);
      t.diagnostic(`RFC 8037 A.4 EdDSA [${provider.name}]: reproduced and verified`);
    });
  }

  test('RFC 8037 A.3 thumbprint of the same key', async () => {
    const { d: _d, ...publicJwk } = rfc8037.input.key;
    assert.equal(await jwkThumbprint(publicJwk), 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });
});
