import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { StorageError, translateErrors } from './errors.ts';
import { deleteExpired } from './expired-rows.ts';
import { assertNonNegativeInteger, assertText } from './lib/validate.ts';
import { PG_INTEGER_MAX, saturatedSumSql } from './lib/saturated-sum.ts';
import type { Engine } from './engine.ts';
import type { Database } from './schema.ts';

/** Longest bucket name stored: a primary-key column, so names stay short enough for an index entry. */
export const RATE_LIMIT_BUCKET_MAX = 512;
/**
 * Most windows {@link addRateLimitHits} writes in one call: one statement binds 4 values per window, and PostgreSQL
 * refuses a statement with more than 65,535 (SQLite more than 32,766), so a caller splits larger batches.
 */
export const RATE_LIMIT_BATCH_MAX = 1000;

/**
 * The least time after a window ended before {@link pruneRateLimits} deletes it (a window longer than this, or than the
 * configured clock skew, is kept for that long). Every process prunes the shared table with its own clock: one running
 * ahead of the others must not delete the window they still count their clients in, which would give every client
 * there a fresh count.
 */
export const RATE_LIMIT_PRUNE_MARGIN_MS = 60_000;

/**
 * The most a window counts: `count` is a 32-bit integer on PostgreSQL (64-bit on SQLite), which refused to count past
 * it (22003, a 500 on every later hit in the window). Both engines hold a count at this value instead; any limit is
 * far below it, so the answer (over the limit) is the same.
 */
export const RATE_LIMIT_COUNT_MAX = PG_INTEGER_MAX;

/**
 * Counts one hit in `bucket`'s fixed window (`floor(now / windowMs) * windowMs`) and returns the count including
 * this hit and when the window ends. One atomic upsert (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`), so
 * concurrent hits from any number of processes each see a distinct count.
 * A bucket names one limit: counters are keyed by (bucket, window start), so use another bucket name for another
 * window length (e.g. `login:1m:<ip>` and `login:1h:<ip>`).
 *
 * @example
 * ```ts
 * const { count, resetAtMs } = await hitRateLimit(storage.db, `register:${ip}`, 60_000, clock.now());
 * if (count > 10) throw tooManyRequests(Math.ceil((resetAtMs - clock.now()) / 1000));
 * ```
 */
export async function hitRateLimit(
  db: Kysely<Database>,
  bucket: string,
  windowMs: number,
  nowMs: number,
): Promise<{ count: number; resetAtMs: number }> {
  assertText('bucket', bucket, RATE_LIMIT_BUCKET_MAX);
  assertNonNegativeInteger('windowMs', windowMs);
  assertNonNegativeInteger('nowMs', nowMs);
  if (windowMs === 0) throw new StorageError('INVALID_ARGUMENT', 'windowMs must be positive.');
  const windowStart = Math.floor(nowMs / windowMs) * windowMs;
  const resetAtMs = windowStart + windowMs;
  const row = await translateErrors(() =>
    db
      .insertInto('rate_limits')
      .values({ bucket, window_start: windowStart, count: 1, expires_at: resetAtMs })
      .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet({ count: saturatedSum('1') }))
      .returning('count')
      .executeTakeFirstOrThrow(),
  );
  return { count: row.count, resetAtMs };
}

/** The stored count plus `hits` (an SQL expression), at most {@link RATE_LIMIT_COUNT_MAX}. */
const saturatedSum = (hits: string) => sql.raw<number>(saturatedSumSql('rate_limits.count', hits));

/** Hits to add to one bucket's window (see {@link addRateLimitHits}). */
export interface RateLimitHits {
  bucket: string;
  windowMs: number;
  /** `floor(now / windowMs) * windowMs` of the window the hits fell in. */
  windowStart: number;
  hits: number;
}

/**
 * Adds several hits to several windows in one statement (a multi-row upsert, rows in key order so concurrent
 * batches from several processes lock them in the same order) and returns each window's total, keyed
 * `bucket + '\n' + windowStart`. A (bucket, windowStart) named more than once is one window, its hits added. At most
 * RATE_LIMIT_BATCH_MAX entries per call (`INVALID_ARGUMENT` past that, before anything is written). What a process
 * that counts hits locally uses to publish them (http/rate-limit.ts, BatchedRateLimitStore).
 *
 * @example
 * ```ts
 * const totals = await addRateLimitHits(storage.db, [{ bucket: 'GET /x|::1', windowMs: 60_000, windowStart, hits: 12 }]);
 * ```
 */
export async function addRateLimitHits(
  db: Kysely<Database>,
  entries: readonly RateLimitHits[],
): Promise<Map<string, number>> {
  if (entries.length === 0) return new Map();
  if (entries.length > RATE_LIMIT_BATCH_MAX) {
    throw new StorageError('INVALID_ARGUMENT', `At most ${RATE_LIMIT_BATCH_MAX} windows per call; split the batch.`);
  }
  for (const e of entries) {
    assertText('bucket', e.bucket, RATE_LIMIT_BUCKET_MAX);
    assertNonNegativeInteger('windowMs', e.windowMs);
    assertNonNegativeInteger('windowStart', e.windowStart);
    assertNonNegativeInteger('hits', e.hits);
    if (e.windowMs === 0) throw new StorageError('INVALID_ARGUMENT', 'windowMs must be positive.');
  }
  // A window named twice is written once with its hits added: PostgreSQL refuses a statement that updates one row
  // twice (SQLite would add them). The first entry's windowMs stands, as an existing row's expires_at does.
  const windows = new Map<string, RateLimitHits>();
  for (const e of entries) {
    const key = `${e.bucket}\n${e.windowStart}`;
    const seen = windows.get(key);
    windows.set(key, seen === undefined ? e : { ...seen, hits: seen.hits + e.hits });
  }
  const rows = [...windows.values()]
    .sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : a.windowStart - b.windowStart))
    .map((e) => ({
      bucket: e.bucket,
      window_start: e.windowStart,
      count: Math.min(e.hits, RATE_LIMIT_COUNT_MAX),
      expires_at: e.windowStart + e.windowMs,
    }));
  const out = await translateErrors(() =>
    db
      .insertInto('rate_limits')
      .values(rows)
      .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet({ count: saturatedSum('excluded.count') }))
      .returning(['bucket', 'window_start', 'count'])
      .execute(),
  );
  return new Map(out.map((r) => [`${r.bucket}\n${Number(r.window_start)}`, Number(r.count)]));
}

/**
 * Deletes windows that ended at least max(their length, `clockSkewMs`, {@link RATE_LIMIT_PRUNE_MARGIN_MS}) before
 * `nowMs`, in bounded batches; returns how many rows went. The margin covers the clocks of the other processes sharing
 * the table: a process whose clock runs up to that much ahead still deletes no window another one counts in.
 * `clockSkewMs` is the deployment's allowed skew between its processes (`VOUCH_CLOCK_SKEW`, config.clockSkewSeconds).
 *
 * @example
 * ```ts
 * const skewMs = config.clockSkewSeconds * 1000;
 * setInterval(() => void pruneRateLimits(storage.db, storage.engine, clock.now(), skewMs), 60_000).unref();
 * ```
 */
export async function pruneRateLimits(
  db: Kysely<Database>,
  engine: Engine,
  nowMs: number,
  clockSkewMs: number,
): Promise<number> {
  assertNonNegativeInteger('nowMs', nowMs);
  assertNonNegativeInteger('clockSkewMs', clockSkewMs);
  return deleteExpired(db, engine, 'rate_limits', {
    op: '<=',
    before: nowMs - Math.max(RATE_LIMIT_PRUNE_MARGIN_MS, clockSkewMs),
    // A window's length is expires_at - window_start: it ended at least that long ago.
    and: sql`expires_at + (expires_at - window_start) <= ${nowMs}`,
  });
}
