// CryptoProvider on node:crypto (OpenSSL). sign/verify/generateKeyPair use the callback forms, which run on
// libuv's threadpool: a server verifying many signatures keeps its event loop free.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair as nodeGenerateKeyPair,
  randomBytes as nodeRandomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
  type SignKeyObjectInput,
} from 'node:crypto';
import { VouchError } from '../errors.ts';
import { decodeBase64url } from '../encoding/base64url.ts';
import { concatBytes, plain } from '../lib/bytes.ts';
import { lruGet } from '../lib/lru.ts';
import { spkiFromBytes } from '../keys/der.ts';
import { privateJwkFromBytes } from '../keys/jwk.ts';
import {
  newPrivateKey,
  newPublicKey,
  privateKeyBytes,
  publicKeyBytes,
  type KeyType,
  type PrivateKey,
  type PublicKey,
} from '../keys/key.ts';
import { algorithmFor, assertAlgorithm, assertKey, assertLength, SIGNATURE_LENGTH } from './algorithms.ts';
import type { CryptoProvider, KeyPair, SignatureAlgorithm } from './provider.ts';

// Parsed OpenSSL keys, cached per (immutable) SDK key object so repeated verifies skip the DER parse.
const publicHandles = new WeakMap<PublicKey, KeyObject>();
const privateHandles = new WeakMap<PrivateKey, KeyObject>();

// The same public key again in a new key object (a server parses an agent's key from its row on every request)
// finds its parsed key here: `createPublicKey` costs about as much as an Ed25519 verify. Keyed by type and raw
// bytes, so equal keys share one immutable KeyObject; bounded, least recently used first out.
const PUBLIC_HANDLES_MAX = 4096;
const publicHandlesByBytes = new Map<string, KeyObject>();

function buffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function publicHandle(key: PublicKey): KeyObject {
  let handle = publicHandles.get(key);
  if (handle === undefined) {
    const raw = publicKeyBytes(key);
    handle = lruGet(publicHandlesByBytes, `${key.type}:${buffer(raw).toString('latin1')}`, PUBLIC_HANDLES_MAX, () =>
      createPublicKey({ key: buffer(spkiFromBytes(key.type, raw)), format: 'der', type: 'spki' }),
    );
    publicHandles.set(key, handle);
  }
  return handle;
}

// The verify key argument per key (its algorithm follows from its type), built once rather than per signature.
const verifyInputs = new WeakMap<PublicKey, KeyObject | SignKeyObjectInput>();

function verifyInput(key: PublicKey): KeyObject | SignKeyObjectInput {
  let input = verifyInputs.get(key);
  if (input === undefined) {
    input = keyInput(algorithmFor(key.type), publicHandle(key));
    verifyInputs.set(key, input);
  }
  return input;
}

function privateHandle(key: PrivateKey): KeyObject {
  let handle = privateHandles.get(key);
  if (handle === undefined) {
    const jwk = privateJwkFromBytes(key.type, publicKeyBytes(key.publicKey), privateKeyBytes(key));
    handle = createPrivateKey({ key: { ...jwk }, format: 'jwk' });
    privateHandles.set(key, handle);
  }
  return handle;
}

function keyInput(alg: SignatureAlgorithm, handle: KeyObject): KeyObject | SignKeyObjectInput {
  // ES256 in JOSE is r‖s, not OpenSSL's default DER.
  return alg === 'ES256' ? { key: handle, dsaEncoding: 'ieee-p1363' } : handle;
}

function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new VouchError('INVALID_ARGUMENT', `The ${what} must be a Uint8Array.`);
}

function generate(type: KeyType): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject): void => {
      if (err) reject(new VouchError('CRYPTO_ERROR', 'Key generation failed.', { cause: err }));
      else resolve({ publicKey, privateKey });
    };
    if (type === 'Ed25519') nodeGenerateKeyPair('ed25519', undefined, done);
    else nodeGenerateKeyPair('ec', { namedCurve: 'P-256' }, done);
  });
}

/**
 * A {@link CryptoProvider} on `node:crypto`. Signing, verification and key generation run on the libuv threadpool;
 * `sha256` is computed synchronously (a single hash is far cheaper than a threadpool round trip).
 *
 * @example
 * ```ts
 * const crypto = createNodeCryptoProvider();
 * const { publicKey, privateKey } = await crypto.generateKeyPair('Ed25519');
 * const sig = await crypto.sign('EdDSA', privateKey, encodeUtf8('hello'));
 * await crypto.verify('EdDSA', publicKey, sig, encodeUtf8('hello')); // true
 * ```
 */
export function createNodeCryptoProvider(): CryptoProvider {
  return {
    name: 'node',

    async generateKeyPair(type: KeyType): Promise<KeyPair> {
      if (type !== 'Ed25519' && type !== 'P-256') {
        throw new VouchError('UNSUPPORTED_KEY_TYPE', 'The key type is not supported (use Ed25519 or P-256).');
      }
      const pair = await generate(type);
      const jwk = pair.privateKey.export({ format: 'jwk' });
      const raw =
        type === 'Ed25519'
          ? decodeBase64url(jwk.x!)
          : concatBytes(Uint8Array.of(4), decodeBase64url(jwk.x!), decodeBase64url(jwk.y!));
      const publicKey = newPublicKey(type, raw);
      const privateKey = newPrivateKey(type, decodeBase64url(jwk.d!), publicKey);
      publicHandles.set(publicKey, pair.publicKey);
      privateHandles.set(privateKey, pair.privateKey);
      return { publicKey, privateKey };
    },

    async sign(alg: SignatureAlgorithm, privateKey: PrivateKey, data: Uint8Array): Promise<Uint8Array> {
      assertKey(privateKey, 'private');
      assertAlgorithm(alg, privateKey.type);
      assertBytes(data, 'data');
      const key = keyInput(alg, privateHandle(privateKey));
      return new Promise((resolve, reject) => {
        nodeSign(alg === 'ES256' ? 'sha256' : null, data, key, (err, signature) => {
          if (err) reject(new VouchError('CRYPTO_ERROR', 'Signing failed.', { cause: err }));
          else resolve(plain(signature));
        });
      });
    },

    // Not `async`: the verdict is the callback's own promise, so a caller's await costs one turn, not three.
    verify(alg: SignatureAlgorithm, publicKey: PublicKey, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
      let key: KeyObject | SignKeyObjectInput;
      try {
        assertKey(publicKey, 'public');
        assertAlgorithm(alg, publicKey.type);
        assertBytes(signature, 'signature');
        assertBytes(data, 'data');
        key = verifyInput(publicKey);
      } catch (err) {
        return Promise.reject(err);
      }
      // A wrong length is just an invalid signature; also keeps OpenSSL away from odd P1363 sizes.
      if (signature.length !== SIGNATURE_LENGTH) return Promise.resolve(false);
      return new Promise((resolve) => {
        // An OpenSSL error on attacker-supplied bytes means "not a valid signature", never a crash.
        nodeVerify(alg === 'ES256' ? 'sha256' : null, data, key, signature, (err, ok) => resolve(!err && ok));
      });
    },

    async sha256(data: Uint8Array): Promise<Uint8Array> {
      assertBytes(data, 'data');
      return plain(createHash('sha256').update(data).digest());
    },

    randomBytes(length: number): Promise<Uint8Array> {
      return new Promise((resolve, reject) => {
        assertLength(length);
        nodeRandomBytes(length, (err, bytes) => {
          if (err) reject(new VouchError('CRYPTO_ERROR', 'Random byte generation failed.', { cause: err }));
          else resolve(plain(bytes));
        });
      });
    },
  };
}
