// Good signatures already checked, so that a token presented again skips its signature verification (the costliest
// step by far). A signature check is a pure function of (key, signing input, signature), and a compact JWS is strictly
// decoded (one canonical base64url text per byte string), so its text fixes both the signing input and the
// signature: the same text under the same key always gets the same verdict. Only the signature is remembered — every
// other check (header, claims, times, audience, nonce, revocation) runs again on each presentation.
//
// Cost when tokens are not presented again (the common case for a verifier of many agents) is kept near zero:
// - a token is kept from its second good presentation on, and only when it came back within `maxEntries` other
//   checked tokens (when a least-recently-used cache of this size would have had it). The first presentation leaves
//   only a 32-bit fingerprint of its signature bytes, and when it came, in a fixed table (the doorkeeper). So a stream
//   of distinct tokens, or a cycle longer than the cache, neither hashes token texts nor keeps them alive (a kept
//   token survives young-generation collections: an always-admitting cache paid that for every token, and churned).
//   The doorkeeper is 16-way set-associative, with eight slots per entry: with one fingerprint per slot, two tokens
//   of a working set that shared a slot overwrote each other at every presentation and were never kept (a fifth of
//   a 4,096-token working set). A set that more tokens fall in than it has ways still thrashes, so the sets are wide
//   and many: a full working set puts two tokens in a set on average, and 17 in one set about once in 10^10 sets;
// - a lookup first asks a table of how many kept tokens fall in the presented signature's slot, and hashes the text
//   only when some do (at most an eighth of the slots hold any);
// - eviction is a clock over a ring (a hit sets a flag; no Map reordering), so it is O(1) whatever came before.
// Slots and fingerprints decide nothing: a token is answered from the cache only when its whole text is found there
// under the same key.
import { VouchError } from '../errors.ts';
import { bytesEqual } from '../lib/bytes.ts';
import { publicKeyBytes } from '../keys/key.ts';
import type { PublicKey } from '../keys/key.ts';

export interface SignatureCacheOptions {
  /** Most tokens remembered; past it, the clock drops one not presented since it last went round (default 4096; 0 remembers nothing). */
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
 * to `verifyAipToken`, `verifyJwt`, `verifyJws`, `checkCapability` or `verifyAgentCredential`. A token is remembered
 * from its second good presentation (when it came back within `maxEntries` other checked tokens) and answered from
 * then on, only under the same key (the same key type and bytes); a bad signature is never remembered. Only
 * `createSignatureCache` makes one: the verifiers refuse any other object (`INVALID_ARGUMENT`), so no hand-made cache
 * can answer for a signature.
 */
export interface SignatureCache {
  stats(): SignatureCacheStats;
  /** Forgets every token (the counters stay). */
  clear(): void;
}

interface Entry {
  key: PublicKey;
  slot: number;
  /** Presented since the clock hand last passed it. */
  used: boolean;
}

function count(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new VouchError('INVALID_ARGUMENT', `${name} must be a non-negative integer.`);
  }
  return value;
}

/** Ways per set of the doorkeeper (a power of two). */
const WAYS = 16;

function sameKey(a: PublicKey, b: PublicKey): boolean {
  return a === b || (a.type === b.type && bytesEqual(publicKeyBytes(a), publicKeyBytes(b)));
}

/** Four bytes of `s` from `at` (zeros past its end) as a 32-bit integer. */
function word(s: Uint8Array, at: number): number {
  return (s[at] ?? 0) | ((s[at + 1] ?? 0) << 8) | ((s[at + 2] ?? 0) << 16) | ((s[at + 3] ?? 0) << 24) | 0;
}

class ClockSignatureCache implements SignatureCache {
  readonly #maxEntries: number;
  readonly #maxTokenLength: number;
  /** Fingerprints of signatures seen once, in sets of WAYS by slot (eight per entry, a power of two in all)... */
  readonly #doorkeeper: Int32Array;
  /** ...and the value of `#checked` when each was seen (one `maxEntries` or more ago: a free way). */
  readonly #seenAt: Uint32Array;
  /** Good signatures noted so far (`add` calls), modulo 2^32: the doorkeeper's clock. */
  #checked = 0;
  /** How many kept tokens have their signature in each slot. */
  readonly #kept: Uint32Array;
  readonly #entries = new Map<string, Entry>();
  /** The remembered tokens in clock order, grown up to `maxEntries`; `#hand` is the next candidate for eviction. */
  readonly #ring: string[] = [];
  #hand = 0;
  #hits = 0;
  #misses = 0;

  constructor(maxEntries: number, maxTokenLength: number) {
    this.#maxEntries = maxEntries;
    this.#maxTokenLength = maxTokenLength;
    let slots = 1024;
    while (slots < 8 * maxEntries && slots < 1 << 22) slots *= 2;
    this.#doorkeeper = new Int32Array(maxEntries === 0 ? WAYS : slots);
    this.#seenAt = new Uint32Array(this.#doorkeeper.length).fill(this.#expired());
    this.#kept = new Uint32Array(this.#doorkeeper.length);
  }

  #slot(signature: Uint8Array): number {
    return word(signature, 0) & (this.#doorkeeper.length - 1);
  }

  /** A `#seenAt` value that is no longer recent now. */
  #expired(): number {
    return (this.#checked - this.#maxEntries - 1) >>> 0;
  }

  /**
   * Whether a signature with `fingerprint` was seen once within `maxEntries` checks, in the set at `set` (the first
   * of its WAYS slots); if so its way is freed, if not it is noted in the oldest way.
   */
  #seenRecently(set: number, fingerprint: number, now: number): boolean {
    const seenAt = this.#seenAt;
    let oldest = set;
    let oldestAge = -1;
    for (let i = set; i < set + WAYS; i++) {
      const age = (now - seenAt[i]!) >>> 0;
      if (age <= this.#maxEntries && this.#doorkeeper[i] === fingerprint) {
        seenAt[i] = this.#expired();
        return true;
      }
      if (age > oldestAge) {
        oldest = i;
        oldestAge = age;
      }
    }
    this.#doorkeeper[oldest] = fingerprint;
    seenAt[oldest] = now;
    return false;
  }

  /** Whether `token` (whose decoded signature is `signature`) is known good under `key`; counted. */
  has(token: string, signature: Uint8Array, key: PublicKey): boolean {
    // No kept token in this slot: no need to hash the text.
    const entry = this.#kept[this.#slot(signature)] !== 0 ? this.#entries.get(token) : undefined;
    if (entry === undefined || !sameKey(entry.key, key)) {
      this.#misses++;
      return false;
    }
    this.#hits++;
    entry.used = true;
    return true;
  }

  /** Notes that `token`'s signature verified under `key` (kept from the second time). */
  add(token: string, signature: Uint8Array, key: PublicKey): void {
    if (this.#maxEntries === 0 || token.length > this.#maxTokenLength) return;
    const slot = this.#slot(signature);
    const now = (this.#checked = (this.#checked + 1) >>> 0);
    if (!this.#seenRecently(slot & -WAYS, word(signature, 4), now)) return;
    const known = this.#entries.get(token);
    if (known !== undefined) {
      // Known under another key (a rotation re-published the kid): the last good key is the one to keep.
      known.key = key;
      known.used = true;
      return;
    }
    const ring = this.#ring;
    if (ring.length < this.#maxEntries) {
      // Not full yet (the hand stays at 0): no slot is allocated before a token needs it.
      ring.push(token);
    } else {
      for (;;) {
        const e = this.#entries.get(ring[this.#hand]!)!;
        if (!e.used) {
          this.#entries.delete(ring[this.#hand]!);
          this.#kept[e.slot]!--;
          break;
        }
        e.used = false;
        this.#hand = (this.#hand + 1) % ring.length;
      }
      ring[this.#hand] = token;
      this.#hand = (this.#hand + 1) % ring.length;
    }
    this.#entries.set(token, { key, slot, used: false });
    this.#kept[slot]!++;
  }

  stats(): SignatureCacheStats {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size };
  }

  clear(): void {
    this.#entries.clear();
    this.#ring.length = 0;
    this.#doorkeeper.fill(0);
    this.#seenAt.fill(this.#expired());
    this.#kept.fill(0);
    this.#hand = 0;
  }
}

/** The cache a verifier may use: `undefined` for none, and only one that {@link createSignatureCache} made. */
export type SignatureCacheInternal = ClockSignatureCache;

/** Internal: `cache` as the verifiers use it; throws `INVALID_ARGUMENT` for an object `createSignatureCache` did not make. */
export function signatureCacheInternal(cache: SignatureCache | undefined): SignatureCacheInternal | undefined {
  if (cache === undefined || cache instanceof ClockSignatureCache) return cache;
  throw new VouchError('INVALID_ARGUMENT', 'signatureCache must come from createSignatureCache.');
}

/**
 * A bounded cache of verified signatures.
 *
 * @example
 * ```ts
 * const signatureCache = createSignatureCache();
 * const options = { resolveKey, issuer, now: Date.now(), signatureCache };
 * await verifyAipToken(token, options); // checks the signature
 * await verifyAipToken(token, options); // checks it again, and keeps the token
 * await verifyAipToken(token, options); // answered from the cache: no signature check
 * ```
 */
export function createSignatureCache(options: SignatureCacheOptions = {}): SignatureCache {
  return new ClockSignatureCache(
    count(options?.maxEntries, 4096, 'maxEntries'),
    count(options?.maxTokenLength, 2048, 'maxTokenLength'),
  );
}
