// Good signatures already checked, so that a token presented again skips its signature verification (the costliest
// step by far). A signature check is a pure function of (key, signing input, signature), and a compact JWS is strictly
// decoded (one canonical base64url text per byte string), so its text fixes both the signing input and the
// signature: the same text under the same key always gets the same verdict. Only the signature is remembered — every
// other check (header, claims, times, audience, nonce, revocation) runs again on each presentation.
import { VouchError } from '../errors.ts';
import { bytesEqual } from '../lib/bytes.ts';
import { publicKeyBytes } from '../keys/key.ts';
import type { PublicKey } from '../keys/key.ts';

export interface SignatureCacheOptions {
  /** Most tokens remembered, least recently presented dropped first (default 4096; 0 remembers nothing). */
  maxEntries?: number;
  /** Longer tokens are never remembered, which bounds the memory to about `maxEntries × maxTokenLength` (default 2048). */
  maxTokenLength?: number;
}

export interface SignatureCacheStats {
  /** Presentations answered from the cache. */
  hits: number;
  /** Presentations whose signature had to be checked. */
  misses: number;
  /** Tokens remembered now. */
  size: number;
}

/**
 * Remembers compact tokens whose signature verified, with the key they verified under; pass it as `signatureCache`
 * to `verifyAipToken`, `verifyJwt` or `verifyJws`. A token is answered from it only under the same key (the same
 * key type and bytes); a bad signature is never remembered.
 */
export interface SignatureCache {
  /** Internal: whether `token`'s signature is known good under `key` (counted as a hit or a miss). */
  has(token: string, key: PublicKey): boolean;
  /** Internal: remembers that `token`'s signature verified under `key`. */
  add(token: string, key: PublicKey): void;
  stats(): SignatureCacheStats;
  /** Forgets every token (the counters stay). */
  clear(): void;
}

function count(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new VouchError('INVALID_ARGUMENT', `${name} must be a non-negative integer.`);
  }
  return value;
}

function sameKey(a: PublicKey, b: PublicKey): boolean {
  return a === b || (a.type === b.type && bytesEqual(publicKeyBytes(a), publicKeyBytes(b)));
}

/**
 * A bounded cache of verified signatures.
 *
 * @example
 * ```ts
 * const signatureCache = createSignatureCache();
 * await verifyAipToken(token, { resolveKey, issuer, now: Date.now(), signatureCache });
 * await verifyAipToken(token, { resolveKey, issuer, now: Date.now(), signatureCache }); // no signature check
 * ```
 */
export function createSignatureCache(options: SignatureCacheOptions = {}): SignatureCache {
  const maxEntries = count(options.maxEntries, 4096, 'maxEntries');
  const maxTokenLength = count(options.maxTokenLength, 2048, 'maxTokenLength');
  // Map order is insertion order: a hit moves its token to the end, so the first entry is the least recent.
  const entries = new Map<string, PublicKey>();
  let hits = 0;
  let misses = 0;
  return {
    has(token, key) {
      const known = entries.get(token);
      if (known === undefined || !sameKey(known, key)) {
        misses++;
        return false;
      }
      hits++;
      entries.delete(token);
      entries.set(token, known);
      return true;
    },
    add(token, key) {
      if (maxEntries === 0 || token.length > maxTokenLength) return;
      entries.delete(token);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(token, key);
    },
    stats: () => ({ hits, misses, size: entries.size }),
    clear: () => entries.clear(),
  };
}
