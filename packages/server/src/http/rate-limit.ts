import { hitRateLimit, pruneRateLimits } from '../storage/index.ts';
import type { Storage } from '../storage/index.ts';

/** Counts requests in fixed windows. One bucket is one route and client address. */
export interface RateLimitStore {
  hit(bucket: string, windowMs: number, nowMs: number): Promise<{ count: number; resetAtMs: number }>;
  /** Drops windows that have ended; called now and then. */
  prune(nowMs: number): Promise<void>;
}

/** In-process counters: right for one process on SQLite, where no other process shares the limits. */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #windows = new Map<string, { start: number; count: number; windowMs: number }>();

  async hit(bucket: string, windowMs: number, nowMs: number): Promise<{ count: number; resetAtMs: number }> {
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
  hit(bucket: string, windowMs: number, nowMs: number): Promise<{ count: number; resetAtMs: number }> {
    return hitRateLimit(this.#storage.db, bucket, windowMs, nowMs);
  }
  async prune(nowMs: number): Promise<void> {
    await pruneRateLimits(this.#storage.db, nowMs);
  }
}

/** The store a deployment needs: shared through the database on PostgreSQL, in memory on SQLite. */
export function rateLimitStoreFor(storage: Storage): RateLimitStore {
  return storage.engine === 'postgres' ? new DatabaseRateLimitStore(storage) : new MemoryRateLimitStore();
}
