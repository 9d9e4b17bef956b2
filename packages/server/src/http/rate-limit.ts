import { createHash } from 'node:crypto';
import { hitRateLimit, pruneRateLimits } from '../storage/index.ts';
import type { Storage } from '../storage/index.ts';
import { addRateLimitHits, RATE_LIMIT_BATCH_MAX } from '../storage/rate-limit-store.ts';

/** A window's count including the hit just counted, and when the window ends. */
export interface RateLimitHit {
  count: number;
  resetAtMs: number;
}

/** Counts requests in fixed windows. One bucket is one route and client address. */
export interface RateLimitStore {
  /**
   * Counts one hit and returns the window's count including it. `max` (the limit the caller will apply) lets a
   * store count far-from-the-limit hits more cheaply; stores may ignore it. A store that counted in memory answers
   * synchronously, so the request pays for no promise (this runs before every request).
   */
  hit(bucket: string, windowMs: number, nowMs: number, max?: number): RateLimitHit | Promise<RateLimitHit>;
  /** Drops windows that have ended; called now and then. */
  prune(nowMs: number): Promise<void>;
  /** Publishes what is still held locally and stops timers (the app's onClose). */
  close?(): Promise<void>;
  /** Where to report failures no request sees (a background write); installPolicies passes the app's logger. */
  useLogger?(log: RateLimitLog): void;
}

/** The part of a pino (Fastify) logger a store reports with. */
export interface RateLimitLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Bucket names up to this length are kept as they are; see {@link boundedBucket}. */
export const RATE_LIMIT_BUCKET_KEEP = 200;

/**
 * A bucket name of bounded length: unchanged up to RATE_LIMIT_BUCKET_KEEP characters, otherwise its first ones
 * followed by `#` and the SHA-256 of the whole name. A bucket holds the client's address, which behind a trusted
 * proxy is whatever text the client put in X-Forwarded-For; the database refuses names over 512 characters. A
 * shortened name is longer than RATE_LIMIT_BUCKET_KEEP, so it never equals a name kept as it was.
 *
 * @example
 * boundedBucket('GET /healthz|203.0.113.7'); // unchanged
 * boundedBucket(`GET /healthz|${'z'.repeat(600)}`).length; // 244
 */
export function boundedBucket(bucket: string): string {
  if (bucket.length <= RATE_LIMIT_BUCKET_KEEP) return bucket;
  const code = bucket.charCodeAt(RATE_LIMIT_BUCKET_KEEP - 1);
  // Never cut a surrogate pair: a lone half would not survive the round trip through the database as itself.
  const keep = code >= 0xd800 && code <= 0xdbff ? RATE_LIMIT_BUCKET_KEEP - 1 : RATE_LIMIT_BUCKET_KEEP;
  return `${bucket.slice(0, keep)}#${createHash('sha256').update(bucket).digest('base64url')}`;
}

/**
 * Most windows a store holds in memory, about 250 bytes each (some 120 MiB in all). One window is one route and client
 * address, and addresses are what an attacker has most of (an IPv6 /48 is 65,536 clients): without a bound, a flood of
 * junk requests from distinct addresses would grow the store until the next prune, or for as long as a route's window
 * lasts (an hour for slug registrations), past any heap.
 */
export const RATE_LIMIT_MEMORY_WINDOWS = 500_000;

/**
 * `clockSkewMs`: the skew allowed between the processes sharing the database (config.clockSkewSeconds, in ms). Pruning
 * the `rate_limits` table keeps a window max(its length, this, RATE_LIMIT_PRUNE_MARGIN_MS) after it ended (see
 * pruneRateLimits); 0 when left out, which leaves the 60 s floor. rateLimitStoreFor passes the configured one.
 */
function clockSkewOf(options: { clockSkewMs?: number }): number {
  const skew = options.clockSkewMs ?? 0;
  if (!Number.isSafeInteger(skew) || skew < 0) throw new RangeError('clockSkewMs must be a non-negative integer.');
  return skew;
}

function maxWindowsOf(options: { maxWindows?: number }): number {
  const max = options.maxWindows ?? RATE_LIMIT_MEMORY_WINDOWS;
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('maxWindows must be a positive integer.');
  return max;
}

/**
 * In-process counters: right for one process on SQLite, where no other process shares the limits. At most
 * `maxWindows` windows (default RATE_LIMIT_MEMORY_WINDOWS): a full store forgets the window that started longest ago.
 * Forgetting a window that still runs gives its client a fresh count, so resetting one limited client takes as many
 * new windows (requests from distinct clients or to distinct routes) as the store holds: far more requests than the
 * reset admits.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  /** By bucket, in the order their windows started (a new window moves its bucket to the end). */
  readonly #windows = new Map<string, { start: number; count: number; windowMs: number }>();
  readonly #maxWindows: number;
  readonly #storage: Storage | undefined;
  readonly #clockSkewMs: number;

  /**
   * `storage`: the database whose `rate_limits` table {@link prune} also clears of ended windows. Modules count some
   * limits there on every engine (signatures per agent DID, certification markers), and on SQLite this store is the
   * one the server's housekeeping prunes (rateLimitStoreFor). `clockSkewMs`: see clockSkewOf.
   */
  constructor(options: { maxWindows?: number; storage?: Storage; clockSkewMs?: number } = {}) {
    this.#maxWindows = maxWindowsOf(options);
    this.#storage = options.storage;
    this.#clockSkewMs = clockSkewOf(options);
  }

  /** How many windows are held. */
  get size(): number {
    return this.#windows.size;
  }

  hit(name: string, windowMs: number, nowMs: number): RateLimitHit {
    const bucket = boundedBucket(name);
    const start = Math.floor(nowMs / windowMs) * windowMs;
    const w = this.#windows.get(bucket);
    if (w && w.start === start && w.windowMs === windowMs) {
      w.count++;
      return { count: w.count, resetAtMs: start + windowMs };
    }
    if (w !== undefined) this.#windows.delete(bucket);
    else if (this.#windows.size >= this.#maxWindows) this.#windows.delete(this.#windows.keys().next().value!);
    this.#windows.set(bucket, { start, count: 1, windowMs });
    return { count: 1, resetAtMs: start + windowMs };
  }

  async prune(nowMs: number): Promise<void> {
    for (const [bucket, w] of this.#windows) {
      if (w.start + w.windowMs <= nowMs) this.#windows.delete(bucket);
    }
    if (this.#storage !== undefined) {
      await pruneRateLimits(this.#storage.db, this.#storage.engine, nowMs, this.#clockSkewMs);
    }
  }
}

/** Counters in the database, shared by every process on one PostgreSQL. */
export class DatabaseRateLimitStore implements RateLimitStore {
  readonly #storage: Storage;
  readonly #clockSkewMs: number;
  /** `clockSkewMs`: see clockSkewOf. */
  constructor(storage: Storage, options: { clockSkewMs?: number } = {}) {
    this.#storage = storage;
    this.#clockSkewMs = clockSkewOf(options);
  }
  hit(bucket: string, windowMs: number, nowMs: number): Promise<RateLimitHit> {
    return hitRateLimit(this.#storage.db, boundedBucket(bucket), windowMs, nowMs);
  }
  async prune(nowMs: number): Promise<void> {
    await pruneRateLimits(this.#storage.db, this.#storage.engine, nowMs, this.#clockSkewMs);
  }
}

/** Hits counted locally are written to the database at least this often (ms). */
export const RATE_LIMIT_FLUSH_MS = 100;
/** A window is counted locally while its estimated count stays at or under this share of the limit. */
export const RATE_LIMIT_LOCAL_SHARE = 0.5;
/** Limits below this many hits per window are always counted in the database (exact across processes). */
export const RATE_LIMIT_LOCAL_MIN = 100;

interface LocalWindow {
  /** `bucket + '\n' + start`: its key here and in addRateLimitHits' answer. */
  key: string;
  bucket: string;
  windowMs: number;
  start: number;
  /** The database's count at this process's last write. */
  known: number;
  /** Hits counted here and not yet written. */
  pending: number;
}

/**
 * Counters in the database, shared by every process on one PostgreSQL, without a write per request: while a
 * window's estimated count (the database's count at the last write plus this process's unwritten hits) is at most
 * half the limit, a hit is counted in memory and written with others every RATE_LIMIT_FLUSH_MS (one statement per
 * RATE_LIMIT_BATCH_MAX windows); past half the limit every hit is counted in the database at once, as
 * DatabaseRateLimitStore does, carrying the unwritten ones with it. Exact for one process. With several, a window
 * can admit more than `max` by at most the hits the other processes counted locally and had not yet written: under
 * 100 ms of their traffic, and at most max/2 each. Limits under RATE_LIMIT_LOCAL_MIN per window (logins,
 * sign-ups...) go to the database on every hit, exactly as before.
 *
 * While writes fail (the database is down), unwritten hits are kept until their window ends and then dropped: an
 * ended window can no longer limit anyone, so memory holds at most the windows still running.
 *
 * Only windows that may be counted locally are held (limits of RATE_LIMIT_LOCAL_MIN or more), at most `maxWindows`
 * of them (default RATE_LIMIT_MEMORY_WINDOWS): past that, a new window is counted in the database on every hit, as a
 * small limit's always is. So no number of distinct clients grows the store, and none is counted less exactly.
 */
export class BatchedRateLimitStore implements RateLimitStore {
  readonly #storage: Storage;
  readonly #windows = new Map<string, LocalWindow>();
  readonly #maxWindows: number;
  readonly #clockSkewMs: number;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  /** The latest time a caller passed: the store has no clock, and windows end by its callers' time. */
  #now = 0;
  #log: RateLimitLog | undefined;
  /** Whether the last write failed: a streak of failed flushes is logged once, and its end once. */
  #failing = false;

  /** `clockSkewMs`: see clockSkewOf. */
  constructor(storage: Storage, options: { log?: RateLimitLog; maxWindows?: number; clockSkewMs?: number } = {}) {
    this.#maxWindows = maxWindowsOf(options);
    this.#clockSkewMs = clockSkewOf(options);
    this.#storage = storage;
    this.#log = options.log;
  }

  /** How many windows are held (only those of limits it may count locally). */
  get size(): number {
    return this.#windows.size;
  }

  useLogger(log: RateLimitLog): void {
    this.#log = log;
  }

  hit(name: string, windowMs: number, nowMs: number, max?: number): RateLimitHit | Promise<RateLimitHit> {
    const bucket = boundedBucket(name);
    if (nowMs > this.#now) this.#now = nowMs;
    const start = Math.floor(nowMs / windowMs) * windowMs;
    const key = `${bucket}\n${start}`;
    const w = this.#windows.get(key);
    // The common case, counted in memory without a promise: a known window far from its limit.
    if (w !== undefined && w.windowMs === windowMs && this.#local(w, max)) return this.#countLocally(w);
    return this.#hitSlow(bucket, windowMs, start, key, max);
  }

  #local(w: LocalWindow, max: number | undefined): boolean {
    return max !== undefined && max >= RATE_LIMIT_LOCAL_MIN && w.known + w.pending + 1 <= max * RATE_LIMIT_LOCAL_SHARE;
  }

  #countLocally(w: LocalWindow): RateLimitHit {
    w.pending++;
    this.#timer ??= setInterval(() => this.#tick(), RATE_LIMIT_FLUSH_MS).unref();
    return { count: w.known + w.pending, resetAtMs: w.start + w.windowMs };
  }

  #tick(): void {
    // A tick while a flush is under way skips: when the database is slow or down, ticks must not queue up behind it.
    if (this.#flushing === undefined) void this.flush().catch(() => undefined);
  }

  async #hitSlow(bucket: string, windowMs: number, start: number, key: string, max?: number): Promise<RateLimitHit> {
    const resetAtMs = start + windowMs;
    let w = this.#windows.get(key);
    if (w === undefined || w.windowMs !== windowMs) {
      // A bucket reused with another window length: its unwritten hits go first (flush reports its own failures).
      const replaced = w !== undefined;
      if (w !== undefined && w.pending > 0) await this.flush().catch(() => undefined);
      w = { key, bucket, windowMs, start, known: 0, pending: 0 };
      // Held only if it may be counted here, and while there is room; otherwise every hit goes to the database.
      const local = max !== undefined && max >= RATE_LIMIT_LOCAL_MIN;
      if (replaced || (local && this.#windows.size < this.#maxWindows)) this.#windows.set(key, w);
    }
    // A window not held is never counted locally: its hits would be lost.
    if (this.#windows.get(key) === w && this.#local(w, max)) return this.#countLocally(w);
    const hits = w.pending + 1;
    w.pending = 0;
    let totals: Map<string, number>;
    try {
      totals = await addRateLimitHits(this.#storage.db, [{ bucket, windowMs, windowStart: start, hits }]);
    } catch (err) {
      w.pending += hits - 1; // this hit the policy counts in the process instead; the earlier ones stay due
      throw err;
    }
    const count = totals.get(key) ?? hits;
    w.known = Math.max(w.known, count);
    return { count, resetAtMs };
  }

  /**
   * Writes every locally counted hit. A flush already under way wrote only what was pending when it started, so
   * this one waits for it and then writes what was counted since: when it resolves, every hit counted before the
   * call has been written (close() relies on it). Rejects with the first failure once every chunk was tried.
   */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing.catch(() => undefined);
    this.#flushing = this.#flush().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    const due = [...this.#windows.values()].filter((w) => w.pending > 0);
    if (due.length === 0) {
      if (this.#timer !== undefined) clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    let failure: unknown;
    let dropped = 0;
    // One statement per chunk, so no batch outgrows the database's limit on bound values, and a chunk that fails
    // leaves the others written.
    for (let i = 0; i < due.length; i += RATE_LIMIT_BATCH_MAX) {
      const chunk = due.slice(i, i + RATE_LIMIT_BATCH_MAX);
      const hits = chunk.map((w) => w.pending);
      for (const w of chunk) w.pending = 0;
      try {
        // Unreachable for one chunk is unreachable for the next: no point waiting for that answer again.
        if (codeOf(failure) === 'DATABASE_UNAVAILABLE') throw failure;
        const batch = chunk.map((w, j) => ({
          bucket: w.bucket,
          windowMs: w.windowMs,
          windowStart: w.start,
          hits: hits[j]!,
        }));
        const totals = await addRateLimitHits(this.#storage.db, batch);
        for (const w of chunk) w.known = Math.max(w.known, totals.get(w.key) ?? 0);
      } catch (err) {
        failure ??= err;
        dropped += this.#giveBack(chunk, hits);
      }
    }
    if (failure === undefined) {
      if (this.#failing) this.#log?.info({ windows: due.length }, 'rate-limit counts are written again');
      this.#failing = false;
      return;
    }
    if (!this.#failing) {
      // The message and code only: the error's details could quote bucket names (client addresses).
      const err = { message: (failure as Error).message, code: codeOf(failure) };
      this.#log?.warn(
        { err, windows: due.length, droppedHits: dropped },
        'rate-limit counts could not be written; retrying, and dropping those of windows that have ended',
      );
    }
    this.#failing = true;
    throw failure;
  }

  /** Puts a failed chunk's hits back, except those of windows that have ended, which go; returns how many went. */
  #giveBack(chunk: readonly LocalWindow[], hits: readonly number[]): number {
    let dropped = 0;
    chunk.forEach((w, i) => {
      if (!this.#ended(w)) {
        w.pending += hits[i]!;
        return;
      }
      dropped += hits[i]! + w.pending;
      w.pending = 0;
      if (this.#windows.get(w.key) === w) this.#windows.delete(w.key);
    });
    return dropped;
  }

  #ended(w: LocalWindow): boolean {
    return w.start + w.windowMs <= this.#now;
  }

  async prune(nowMs: number): Promise<void> {
    if (nowMs > this.#now) this.#now = nowMs;
    await this.flush().catch(() => undefined);
    // Ended windows go, written or not: their hits can no longer limit anyone.
    for (const [key, w] of this.#windows) if (this.#ended(w)) this.#windows.delete(key);
    await pruneRateLimits(this.#storage.db, this.#storage.engine, nowMs, this.#clockSkewMs);
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush().catch(() => undefined);
  }
}

function codeOf(err: unknown): unknown {
  return (err as { code?: unknown } | undefined)?.code;
}

/**
 * The store a deployment needs: shared through the database on PostgreSQL, in memory on SQLite. Either one's prune
 * also clears the database's `rate_limits` table of ended windows (those modules count there on both engines), keeping
 * each max(its length, the configured clock skew, 60 s) after it ended: pass the deployment's config.
 */
export function rateLimitStoreFor(storage: Storage, config: { clockSkewSeconds: number }): RateLimitStore {
  const clockSkewMs = config.clockSkewSeconds * 1000;
  return storage.engine === 'postgres'
    ? new BatchedRateLimitStore(storage, { clockSkewMs })
    : new MemoryRateLimitStore({ storage, clockSkewMs });
}
