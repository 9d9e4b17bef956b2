import { hitRateLimit, pruneRateLimits } from '../storage/index.ts';
import type { Storage } from '../storage/index.ts';
import { addRateLimitHits } from '../storage/rate-limit-store.ts';

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
}

/** In-process counters: right for one process on SQLite, where no other process shares the limits. */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #windows = new Map<string, { start: number; count: number; windowMs: number }>();

  hit(bucket: string, windowMs: number, nowMs: number): RateLimitHit {
    const start = Math.floor(nowMs / windowMs) * windowMs;
    const w = this.#windows.get(bucket);
    if (w && w.start === start && w.windowMs === windowMs) {
      w.count++;
      return { count: w.count, resetAtMs: start + windowMs };
    }
    this.#windows.set(bucket, { start, count: 1, windowMs });
    return { count: 1, resetAtMs: start + windowMs };
  }

  async prune(nowMs: number): Promise<void> {
    for (const [bucket, w] of this.#windows) {
      if (w.start + w.windowMs <= nowMs) this.#windows.delete(bucket);
    }
  }
}

/** Counters in the database, shared by every process on one PostgreSQL. */
export class DatabaseRateLimitStore implements RateLimitStore {
  readonly #storage: Storage;
  constructor(storage: Storage) {
    this.#storage = storage;
  }
  hit(bucket: string, windowMs: number, nowMs: number): Promise<RateLimitHit> {
    return hitRateLimit(this.#storage.db, bucket, windowMs, nowMs);
  }
  async prune(nowMs: number): Promise<void> {
    await pruneRateLimits(this.#storage.db, nowMs);
  }
}

/** Hits counted locally are written to the database at least this often (ms). */
export const RATE_LIMIT_FLUSH_MS = 100;
/** A window is counted locally while its estimated count stays at or under this share of the limit. */
export const RATE_LIMIT_LOCAL_SHARE = 0.5;
/** Limits below this many hits per window are always counted in the database (exact across processes). */
export const RATE_LIMIT_LOCAL_MIN = 100;

interface LocalWindow {
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
 * half the limit, a hit is counted in memory and written with others in one statement every RATE_LIMIT_FLUSH_MS;
 * past half the limit every hit is counted in the database at once, as DatabaseRateLimitStore does, carrying the
 * unwritten ones with it. Exact for one process. With several, a window can admit more than `max` by at most the
 * hits the other processes counted locally and had not yet written: under 100 ms of their traffic, and at most
 * max/2 each. Limits under RATE_LIMIT_LOCAL_MIN per window (logins, sign-ups...) go to the database on every hit,
 * exactly as before.
 */
export class BatchedRateLimitStore implements RateLimitStore {
  readonly #storage: Storage;
  readonly #windows = new Map<string, LocalWindow>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  hit(bucket: string, windowMs: number, nowMs: number, max?: number): RateLimitHit | Promise<RateLimitHit> {
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
    this.#timer ??= setInterval(() => void this.flush().catch(() => undefined), RATE_LIMIT_FLUSH_MS).unref();
    return { count: w.known + w.pending, resetAtMs: w.start + w.windowMs };
  }

  async #hitSlow(bucket: string, windowMs: number, start: number, key: string, max?: number): Promise<RateLimitHit> {
    const resetAtMs = start + windowMs;
    let w = this.#windows.get(key);
    if (w === undefined || w.windowMs !== windowMs) {
      if (w !== undefined && w.pending > 0) await this.flush(); // a bucket reused with another window length
      w = { bucket, windowMs, start, known: 0, pending: 0 };
      this.#windows.set(key, w);
    }
    if (this.#local(w, max)) return this.#countLocally(w);
    const hits = w.pending + 1;
    w.pending = 0;
    let totals: Map<string, number>;
    try {
      totals = await addRateLimitHits(this.#storage.db, [{ bucket, windowMs, windowStart: start, hits }]);
    } catch (err) {
      w.pending += hits - 1; // this hit is not counted (the policy fails open); the earlier ones stay due
      throw err;
    }
    const count = totals.get(key) ?? hits;
    w.known = Math.max(w.known, count);
    return { count, resetAtMs };
  }

  /**
   * Writes every locally counted hit in one statement. A flush already under way wrote only what was pending when it
   * started, so this one waits for it and then writes what was counted since: when it resolves, every hit counted
   * before the call has been written (close() relies on it).
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
    const batch = due.map((w) => ({ bucket: w.bucket, windowMs: w.windowMs, windowStart: w.start, hits: w.pending }));
    for (const w of due) w.pending = 0;
    let totals: Map<string, number>;
    try {
      totals = await addRateLimitHits(this.#storage.db, batch);
    } catch (err) {
      due.forEach((w, i) => (w.pending += batch[i]!.hits));
      throw err;
    }
    for (const w of due) w.known = Math.max(w.known, totals.get(`${w.bucket}\n${w.start}`) ?? 0);
  }

  async prune(nowMs: number): Promise<void> {
    await this.flush().catch(() => undefined);
    for (const [key, w] of this.#windows) {
      if (w.start + w.windowMs <= nowMs && w.pending === 0) this.#windows.delete(key);
    }
    await pruneRateLimits(this.#storage.db, nowMs);
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush().catch(() => undefined);
  }
}

/** The store a deployment needs: shared through the database on PostgreSQL, in memory on SQLite. */
export function rateLimitStoreFor(storage: Storage): RateLimitStore {
  return storage.engine === 'postgres' ? new BatchedRateLimitStore(storage) : new MemoryRateLimitStore();
}
