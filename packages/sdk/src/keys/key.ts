// The SDK's key objects. Plain frozen objects whose bytes live in module-private maps, so that:
// - a key cannot be mutated after a provider cached its native handle for it;
// - private bytes never show up in console.log, util.inspect, JSON.stringify or a structured log line;
// - only keys built by the SDK's parsers (which validate them) reach a crypto provider.
// No node:* import here: the WebCrypto provider uses this module too.
import { VouchError } from '../errors.ts';
import { checkEd25519Point } from './ed25519-point.ts';

/** The two key types Vouch uses: Ed25519 (agents, registry) and P-256 (ES256 tokens). */
export type KeyType = 'Ed25519' | 'P-256';

/**
 * A validated public key. Get one from `parsePublicKey`, `publicKeyFromRaw`, a private key's `publicKey`, or key
 * generation; print it with `formatPublicKey`.
 */
export interface PublicKey {
  readonly kind: 'public';
  readonly type: KeyType;
}

/** A validated private key; its secret bytes are reachable only through `formatPrivateKey`. */
export interface PrivateKey {
  readonly kind: 'private';
  readonly type: KeyType;
  readonly publicKey: PublicKey;
}

// Ed25519: the 32-byte encoded point. P-256: the 65-byte uncompressed point 0x04 ‖ x ‖ y.
const publicBytes = new WeakMap<PublicKey, Uint8Array>();
// Ed25519: the 32-byte seed (RFC 8032 secret key). P-256: the 32-byte scalar d.
const privateBytes = new WeakMap<PrivateKey, Uint8Array>();

export function isKeyType(t: unknown): t is KeyType {
  return t === 'Ed25519' || t === 'P-256';
}

/**
 * Internal: wraps already validated public bytes (a copy is kept). Every Ed25519 key passes here, so the check
 * against small-order and non-canonical points is made here once rather than in each parser.
 */
export function newPublicKey(type: KeyType, raw: Uint8Array): PublicKey {
  if (type === 'Ed25519') checkEd25519Point(raw);
  const key: PublicKey = Object.freeze({ kind: 'public', type });
  publicBytes.set(key, Uint8Array.from(raw));
  return key;
}

/** Internal: wraps a validated private scalar/seed and its public key (a copy is kept). */
export function newPrivateKey(type: KeyType, d: Uint8Array, publicKey: PublicKey): PrivateKey {
  const key: PrivateKey = Object.freeze({ kind: 'private', type, publicKey });
  privateBytes.set(key, Uint8Array.from(d));
  return key;
}

/** Internal: the stored public bytes (not a copy: never hand them out). */
export function publicKeyBytes(key: PublicKey): Uint8Array {
  const raw = typeof key === 'object' && key !== null ? publicBytes.get(key) : undefined;
  if (raw === undefined) {
    throw new VouchError('INVALID_KEY', 'Expected a public key created by the Vouch SDK (see parsePublicKey).');
  }
  return raw;
}

/** Internal: the stored private bytes (not a copy: never hand them out). */
export function privateKeyBytes(key: PrivateKey): Uint8Array {
  const d = typeof key === 'object' && key !== null ? privateBytes.get(key) : undefined;
  if (d === undefined) {
    throw new VouchError('INVALID_KEY', 'Expected a private key created by the Vouch SDK (see parsePrivateKey).');
  }
  return d;
}

/** Tells whether `value` is a public key created by the SDK. */
export function isPublicKey(value: unknown): value is PublicKey {
  return typeof value === 'object' && value !== null && publicBytes.has(value as PublicKey);
}

/** Tells whether `value` is a private key created by the SDK. */
export function isPrivateKey(value: unknown): value is PrivateKey {
  return typeof value === 'object' && value !== null && privateBytes.has(value as PrivateKey);
}
