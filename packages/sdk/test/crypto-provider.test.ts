import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  algorithmFor,
  encodeUtf8,
  formatPublicKey,
  getDefaultCrypto,
  parsePublicKey,
  type KeyType,
  type PublicKey,
  type SignatureAlgorithm,
} from '../src/index.ts';
import { PROVIDERS } from './providers.ts';
import { rejectsCode } from './vectors.ts';

const MESSAGE = encodeUtf8('payloadHash:1700000000000');
const P256_N = Uint8Array.from(Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex'));
const TYPES: KeyType[] = ['Ed25519', 'P-256'];

test('getDefaultCrypto is the Node provider, created once', () => {
  assert.equal(getDefaultCrypto().name, 'node');
  assert.equal(getDefaultCrypto(), getDefaultCrypto());
  assert.equal(algorithmFor('Ed25519'), 'EdDSA');
  assert.equal(algorithmFor('P-256'), 'ES256');
});

for (const provider of PROVIDERS) {
  describe(`CryptoProvider contract [${provider.name}]`, () => {
    for (const type of TYPES) {
      const alg = algorithmFor(type);

      test(`${alg}: generated keys sign and verify; the other provider agrees`, async () => {
        const { publicKey, privateKey } = await provider.generateKeyPair(type);
        assert.equal(publicKey.type, type);
        assert.equal(privateKey.publicKey, publicKey);
        const sig = await provider.sign(alg, privateKey, MESSAGE);
        assert.equal(Object.getPrototypeOf(sig), Uint8Array.prototype);
        assert.equal(sig.length, 64);
        assert.equal(await provider.verify(alg, publicKey, sig, MESSAGE), true);
        for (const other of PROVIDERS) assert.equal(await other.verify(alg, publicKey, sig, MESSAGE), true);
      });

      test(`${alg}: wrong message, flipped bit and every wrong length verify as false (no throw)`, async () => {
        const { publicKey, privateKey } = await provider.generateKeyPair(type);
        const sig = await provider.sign(alg, privateKey, MESSAGE);
        assert.equal(await provider.verify(alg, publicKey, sig, encodeUtf8('other')), false);
        const flipped = Uint8Array.from(sig);
        flipped[10]! ^= 1;
        assert.equal(await provider.verify(alg, publicKey, flipped, MESSAGE), false);
        for (const len of [0, 1, 32, 63, 65, 72, 128]) {
          const wrong = new Uint8Array(len);
          wrong.set(sig.subarray(0, Math.min(len, 64)));
          assert.equal(await provider.verify(alg, publicKey, wrong, MESSAGE), false, `length ${len}`);
        }
        // DER-encoded ECDSA (OpenSSL's default form) is not ES256.
        assert.equal(
          await provider.verify(alg, publicKey, Uint8Array.of(0x30, 0x06, 2, 1, 1, 2, 1, 1), MESSAGE),
          false,
        );
      });

      test(`${alg}: all-zero and all-0xff signatures are false`, async () => {
        const { publicKey } = await provider.generateKeyPair(type);
        assert.equal(await provider.verify(alg, publicKey, new Uint8Array(64), MESSAGE), false);
        assert.equal(await provider.verify(alg, publicKey, new Uint8Array(64).fill(0xff), MESSAGE), false);
      });
    }

    test('ES256: r = n or s = n (out of range) is false', async () => {
      const { publicKey, privateKey } = await provider.generateKeyPair('P-256');
      const sig = await provider.sign('ES256', privateKey, MESSAGE);
      const rN = Uint8Array.from(sig);
      rN.set(P256_N, 0);
      const sN = Uint8Array.from(sig);
      sN.set(P256_N, 32);
      assert.equal(await provider.verify('ES256', publicKey, rN, MESSAGE), false);
      assert.equal(await provider.verify('ES256', publicKey, sN, MESSAGE), false);
    });

    test('algorithm confusion and caller errors reject with typed errors', async () => {
      const ed = await provider.generateKeyPair('Ed25519');
      const ec = await provider.generateKeyPair('P-256');
      const sig = new Uint8Array(64);
      await rejectsCode(() => provider.verify('ES256', ed.publicKey, sig, MESSAGE), 'KEY_ALGORITHM_MISMATCH');
      await rejectsCode(() => provider.verify('EdDSA', ec.publicKey, sig, MESSAGE), 'KEY_ALGORITHM_MISMATCH');
      await rejectsCode(() => provider.sign('ES256', ed.privateKey, MESSAGE), 'KEY_ALGORITHM_MISMATCH');
      for (const alg of ['none', 'HS256', 'RS256', 'ES384', 'Ed25519', '']) {
        await rejectsCode(
          () => provider.verify(alg as SignatureAlgorithm, ed.publicKey, sig, MESSAGE),
          'UNSUPPORTED_ALGORITHM',
          alg,
        );
      }
      const forged = { kind: 'public', type: 'Ed25519' } as PublicKey;
      await rejectsCode(() => provider.verify('EdDSA', forged, sig, MESSAGE), 'INVALID_KEY');
      await rejectsCode(
        () => provider.verify('EdDSA', ed.publicKey, 'sig' as unknown as Uint8Array, MESSAGE),
        'INVALID_ARGUMENT',
      );
      await rejectsCode(() => provider.sign('EdDSA', ed.privateKey, 'x' as unknown as Uint8Array), 'INVALID_ARGUMENT');
      await rejectsCode(() => provider.generateKeyPair('X25519' as KeyType), 'UNSUPPORTED_KEY_TYPE');
    });

    test('a parsed key (not generated here) works: handle import and caching', async () => {
      const { publicKey, privateKey } = await provider.generateKeyPair('P-256');
      const sig = await provider.sign('ES256', privateKey, MESSAGE);
      const parsed = parsePublicKey(formatPublicKey(publicKey, 'jwk'));
      assert.equal(await provider.verify('ES256', parsed, sig, MESSAGE), true);
      assert.equal(await provider.verify('ES256', parsed, sig, MESSAGE), true);
    });

    test('sha256 and randomBytes', async () => {
      const digest = await provider.sha256(encodeUtf8('abc'));
      assert.equal(Buffer.from(digest).toString('hex').slice(0, 8), 'ba7816bf');
      const a = await provider.randomBytes(32);
      const b = await provider.randomBytes(32);
      assert.equal(Object.getPrototypeOf(a), Uint8Array.prototype);
      assert.equal(a.length, 32);
      assert.notDeepEqual(a, b);
      assert.equal((await provider.randomBytes(0)).length, 0);
      assert.equal((await provider.randomBytes(65536)).length, 65536);
      await rejectsCode(() => provider.randomBytes(-1), 'INVALID_ARGUMENT');
      await rejectsCode(() => provider.randomBytes(1.5), 'INVALID_ARGUMENT');
    });

    test('many verifies in flight at once resolve correctly', async () => {
      const { publicKey, privateKey } = await provider.generateKeyPair('Ed25519');
      const sig = await provider.sign('EdDSA', privateKey, MESSAGE);
      const bad = Uint8Array.from(sig);
      bad[0]! ^= 1;
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => provider.verify('EdDSA', publicKey, i % 2 ? bad : sig, MESSAGE)),
      );
      results.forEach((ok, i) => assert.equal(ok, i % 2 === 0));
    });
  });
}
