import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  algorithmFor,
  createWebCryptoProvider,
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

    test('keys parsed again from their text verify as the originals, never as another key (past any cache size)', async () => {
      // A server parses an agent's key from its row on every request: each parse is a new key object.
      for (const type of TYPES) {
        const alg = algorithmFor(type);
        const a = await provider.generateKeyPair(type);
        const b = await provider.generateKeyPair(type);
        const sigA = await provider.sign(alg, a.privateKey, MESSAGE);
        const jwk = formatPublicKey(a.publicKey, 'jwk');
        for (let i = 0; i < 3; i++) {
          assert.equal(await provider.verify(alg, parsePublicKey({ ...jwk }, { type }), sigA, MESSAGE), true);
          const otherKey = parsePublicKey(formatPublicKey(b.publicKey, 'jwk'), { type });
          assert.equal(await provider.verify(alg, otherKey, sigA, MESSAGE), false);
        }
      }
      // 5,000 other Ed25519 keys seen in between: the first key is still itself, and each of the others too.
      const a = await provider.generateKeyPair('Ed25519');
      const sigA = await provider.sign('EdDSA', a.privateKey, MESSAGE);
      const textA = formatPublicKey(a.publicKey, 'base64');
      const others: PublicKey[] = [];
      for (let i = 0; i < 5000; i++) {
        const raw = Buffer.alloc(32);
        raw.writeUInt32BE(i + 1, 0);
        raw[31] = 0x11; // a point on the curve for most patterns; skip the few that are not
        try {
          others.push(parsePublicKey(raw.toString('base64'), { type: 'Ed25519' }));
        } catch {
          continue;
        }
      }
      assert.ok(others.length > 4096, `${others.length} keys`);
      for (const key of others.slice(0, 200)) {
        assert.equal(await provider.verify('EdDSA', key, sigA, MESSAGE), false);
      }
      await Promise.all(others.map((key) => provider.verify('EdDSA', key, sigA, MESSAGE)));
      assert.equal(await provider.verify('EdDSA', parsePublicKey(textA, { type: 'Ed25519' }), sigA, MESSAGE), true);
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

test('WebCrypto without Ed25519 (older browsers): verify and sign reject with CRYPTO_ERROR, not a DOMException', async () => {
  // A runtime whose WebCrypto lacks Ed25519 (Safari before 17, Firefox before 129) refuses the key import with a
  // NotSupportedError; everything else is the real subtle.
  const real = globalThis.crypto;
  const subtle = {
    generateKey: real.subtle.generateKey.bind(real.subtle),
    exportKey: real.subtle.exportKey.bind(real.subtle),
    sign: real.subtle.sign.bind(real.subtle),
    verify: real.subtle.verify.bind(real.subtle),
    digest: real.subtle.digest.bind(real.subtle),
    importKey: (...args: unknown[]) => {
      const algorithm = args[2] as string | { name: string };
      const name = typeof algorithm === 'string' ? algorithm : algorithm.name;
      if (name === 'Ed25519') return Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError'));
      return (real.subtle.importKey as (...a: unknown[]) => Promise<unknown>).apply(real.subtle, args);
    },
  };
  const provider = createWebCryptoProvider({
    subtle,
    getRandomValues: real.getRandomValues.bind(real),
  } as unknown as Parameters<typeof createWebCryptoProvider>[0]);
  const ed = await getDefaultCrypto().generateKeyPair('Ed25519');
  const sig = await getDefaultCrypto().sign('EdDSA', ed.privateKey, MESSAGE);
  await rejectsCode(() => provider.verify('EdDSA', ed.publicKey, sig, MESSAGE), 'CRYPTO_ERROR');
  await rejectsCode(() => provider.sign('EdDSA', ed.privateKey, MESSAGE), 'CRYPTO_ERROR');
  // The refusal is not cached as a verdict: P-256 on the same provider still works.
  const ec = await provider.generateKeyPair('P-256');
  const ecSig = await provider.sign('ES256', ec.privateKey, MESSAGE);
  assert.equal(await provider.verify('ES256', ec.publicKey, ecSig, MESSAGE), true);
});
