// CryptoProvider on WebCrypto (globalThis.crypto.subtle): browsers, Deno, Bun, and Node ≥ 20 (Ed25519 and
// ECDSA P-256 with raw r‖s signatures). No node:* runtime import, so this file works outside Node.
import type { webcrypto } from 'node:crypto';
import { VouchError } from '../errors.ts';
import { decodeBase64url } from '../encoding/base64url.ts';
import { privateJwkFromBytes } from '../keys/jwk.ts';
import { lruGet } from '../lib/lru.ts';
import {
  newPrivateKey,
  newPublicKey,
  privateKeyBytes,
  publicKeyBytes,
  type KeyType,
  type PrivateKey,
  type PublicKey,
} from '../keys/key.ts';
import { assertAlgorithm, assertKey, assertLength, SIGNATURE_LENGTH } from './algorithms.ts';
import type { CryptoProvider, KeyPair, SignatureAlgorithm } from './provider.ts';

type WebCrypto = webcrypto.Crypto;
type CryptoKey = webcrypto.CryptoKey;

/** Imported public keys kept per provider, by their bytes. */
const PUBLIC_HANDLES_MAX = 4096;

function importParams(type: KeyType): webcrypto.AlgorithmIdentifier | webcrypto.EcKeyImportParams {
  return type === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' };
}

function signParams(alg: SignatureAlgorithm): webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams {
  // WebCrypto's ECDSA signatures are r‖s already, exactly JOSE's ES256 form.
  return alg === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'Ed25519' };
}

// The SDK's keys are already validated, so a refused import means this WebCrypto cannot use the key type at all
// (e.g. no Ed25519 before Safari 17 or Firefox 129): a typed error, never a bare DOMException.
function importFailed(err: unknown): never {
  throw new VouchError('CRYPTO_ERROR', 'This WebCrypto implementation could not import the key.', { cause: err });
}

function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new VouchError('INVALID_ARGUMENT', `The ${what} must be a Uint8Array.`);
}

/**
 * A {@link CryptoProvider} on WebCrypto. Same contract as the Node provider (the SDK's tests run both against the
 * same vectors).
 *
 * @example
 * ```ts
 * const crypto = createWebCryptoProvider(); // globalThis.crypto
 * const { publicKey, privateKey } = await crypto.generateKeyPair('P-256');
 * const sig = await crypto.sign('ES256', privateKey, data);
 * await crypto.verify('ES256', publicKey, sig, data); // true
 * ```
 */
export function createWebCryptoProvider(webCrypto: WebCrypto = globalThis.crypto): CryptoProvider {
  if (webCrypto === undefined || webCrypto.subtle === undefined) {
    throw new VouchError('INVALID_ARGUMENT', 'WebCrypto (crypto.subtle) is not available in this environment.');
  }
  const subtle = webCrypto.subtle;
  // Imported CryptoKeys per SDK key object (keys are immutable, so the cache never goes stale).
  const publicHandles = new WeakMap<PublicKey, Promise<CryptoKey>>();
  const privateHandles = new WeakMap<PrivateKey, Promise<CryptoKey>>();

  // The same keys once imported, so that a verification with a known key does not wait a turn for its handle.
  const publicReady = new WeakMap<PublicKey, CryptoKey>();
  // The same public key in a new key object (parsed again from a stored row, say) reuses its import: keyed by type
  // and raw bytes, bounded, least recently used first out.
  const publicHandlesByBytes = new Map<string, Promise<CryptoKey>>();

  function publicHandle(key: PublicKey): Promise<CryptoKey> {
    let handle = publicHandles.get(key);
    if (handle === undefined) {
      const raw = publicKeyBytes(key);
      const id = `${key.type}:${String.fromCharCode(...raw)}`;
      const imported = lruGet(publicHandlesByBytes, id, PUBLIC_HANDLES_MAX, () =>
        subtle.importKey('raw', raw, importParams(key.type), false, ['verify']).catch(importFailed),
      );
      handle = imported;
      publicHandles.set(key, handle);
      handle.then(
        (ready) => publicReady.set(key, ready),
        () => {
          publicHandles.delete(key);
          if (publicHandlesByBytes.get(id) === imported) publicHandlesByBytes.delete(id);
        },
      );
    }
    return handle;
  }

  function privateHandle(key: PrivateKey): Promise<CryptoKey> {
    let handle = privateHandles.get(key);
    if (handle === undefined) {
      const jwk = privateJwkFromBytes(key.type, publicKeyBytes(key.publicKey), privateKeyBytes(key));
      handle = subtle.importKey('jwk', jwk, importParams(key.type), false, ['sign']).catch(importFailed);
      privateHandles.set(key, handle);
      handle.catch(() => privateHandles.delete(key));
    }
    return handle;
  }

  return {
    name: 'webcrypto',

    async generateKeyPair(type: KeyType): Promise<KeyPair> {
      if (type !== 'Ed25519' && type !== 'P-256') {
        throw new VouchError('UNSUPPORTED_KEY_TYPE', 'The key type is not supported (use Ed25519 or P-256).');
      }
      const params = type === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' };
      let pair: webcrypto.CryptoKeyPair;
      let raw: Uint8Array;
      let jwk: webcrypto.JsonWebKey;
      try {
        pair = (await subtle.generateKey(params, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
        raw = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
        jwk = await subtle.exportKey('jwk', pair.privateKey);
      } catch (err) {
        throw new VouchError('CRYPTO_ERROR', 'Key generation failed.', { cause: err });
      }
      const publicKey = newPublicKey(type, raw);
      const privateKey = newPrivateKey(type, decodeBase64url(jwk.d!), publicKey);
      publicHandles.set(publicKey, Promise.resolve(pair.publicKey));
      publicReady.set(publicKey, pair.publicKey);
      privateHandles.set(privateKey, Promise.resolve(pair.privateKey));
      return { publicKey, privateKey };
    },

    async sign(alg: SignatureAlgorithm, privateKey: PrivateKey, data: Uint8Array): Promise<Uint8Array> {
      assertKey(privateKey, 'private');
      assertAlgorithm(alg, privateKey.type);
      assertBytes(data, 'data');
      const key = await privateHandle(privateKey);
      try {
        return new Uint8Array(await subtle.sign(signParams(alg), key, data));
      } catch (err) {
        throw new VouchError('CRYPTO_ERROR', 'Signing failed.', { cause: err });
      }
    },

    async verify(
      alg: SignatureAlgorithm,
      publicKey: PublicKey,
      signature: Uint8Array,
      data: Uint8Array,
    ): Promise<boolean> {
      assertKey(publicKey, 'public');
      assertAlgorithm(alg, publicKey.type);
      assertBytes(signature, 'signature');
      assertBytes(data, 'data');
      const key = publicReady.get(publicKey) ?? (await publicHandle(publicKey));
      if (signature.length !== SIGNATURE_LENGTH) return false;
      try {
        return await subtle.verify(signParams(alg), key, signature, data);
      } catch {
        return false;
      }
    },

    async sha256(data: Uint8Array): Promise<Uint8Array> {
      assertBytes(data, 'data');
      return new Uint8Array(await subtle.digest('SHA-256', data));
    },

    async randomBytes(length: number): Promise<Uint8Array> {
      assertLength(length);
      const out = new Uint8Array(length);
      // getRandomValues fills at most 65536 bytes per call.
      for (let i = 0; i < length; i += 65536) webCrypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
      return out;
    },
  };
}
