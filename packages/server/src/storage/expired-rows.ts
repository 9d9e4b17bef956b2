import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';
import { translateErrors } from './errors.ts';
import { assertNonNegativeInteger } from './lib/validate.ts';
import type { Engine } from './engine.ts';
import type { Database } from './schema.ts';

/** Rows one statement deletes at most: a short write lock, a short stall of SQLite's one thread. */
export const EXPIRED_BATCH_ROWS = 2_000;

/** A table whose rows carry an `expires_at` (ms since the epoch). */
export type ExpiringTable = keyof Database & string;

export interface DeleteExpiredOptions {
  /** `'<='` deletes rows expiring at `before` too; `'<'` keeps them. */
  op: '<' | '<=';
  before: number;
  /** Rows per statement; {@link EXPIRED_BATCH_ROWS} unless a test needs to see several batches. */
  batchRows?: number;
  /** Stop after this many batches (one, for a bounded clean-up inside a request); no limit by default. */
  maxBatches?: number;
  /** The column compared with `before`: `expires_at` unless the table keeps another time (`touched_at`). */
  column?: 'expires_at' | 'touched_at';
  /** A further condition a row must meet to be deleted, checked with the column's (a fixed SQL fragment). */
  and?: RawBuilder<unknown>;
}

/**
 * Deletes the rows of `t` whose `expires_at` (or `column`) is `op` `before`, in statements of at most `batchRows` rows, and returns
 * how many went. One unbounded delete after a long outage would hold its row locks (and SQLite's write lock and its
 * only thread) for as long as millions of rows take, and could never finish under a `statement_timeout`; batches let
 * other statements in between, and each commits on its own, so an interrupted prune keeps what it did.
 *
 * @example
 * ```ts
 * const n = await deleteExpired(storage.db, storage.engine, 'token_nonces', { op: '<=', before: now });
 * ```
 */
export async function deleteExpired(
  db: Kysely<Database>,
  engine: Engine,
  t: ExpiringTable,
  opts: DeleteExpiredOptions,
): Promise<number> {
  const { op, before, batchRows = EXPIRED_BATCH_ROWS, maxBatches = Infinity, column = 'expires_at', and } = opts;
  if (!Number.isSafeInteger(before)) throw new RangeError('before must be an integer (ms since the epoch).');
  assertNonNegativeInteger('batchRows', batchRows);
  if (batchRows === 0) throw new RangeError('batchRows must be positive.');
  if (op !== '<' && op !== '<=') throw new RangeError(`op must be '<' or '<=', not ${String(op)}.`);
  if (column !== 'expires_at' && column !== 'touched_at') throw new RangeError(`Unknown column ${String(column)}.`);
  const table = sql.table(t);
  const expired =
    and === undefined
      ? sql`${sql.ref(column)} ${sql.raw(op)} ${before}`
      : sql`${sql.ref(column)} ${sql.raw(op)} ${before} and (${and})`;
  // Rows addressed by their physical id, the cheapest lookup on each engine (a key in (subquery) took 2-2.6× as long).
  // PostgreSQL checks the outer condition again on a row another process changed meanwhile, so a renewed row stays.
  const statement =
    engine === 'postgres'
      ? sql`delete from ${table} where ctid = any(array(select ctid from ${table} where ${expired} limit ${batchRows})) and ${expired}`
      : sql`delete from ${table} where rowid in (select rowid from ${table} where ${expired} limit ${batchRows})`;
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const res = await translateErrors(() => statement.execute(db));
    const n = Number(res.numAffectedRows ?? 0n);
    total += n;
    if (n < batchRows || batch + 1 >= maxBatches) break;
    // SQLite runs every statement on this thread: let waiting requests in before the next batch.
    await nextTurn();
  }
  return total;
}

/** {@link deleteExpired} on each of `tables` in turn, with the same options: how many rows went from each. */
export async function deleteExpiredFrom<T extends ExpiringTable>(
  db: Kysely<Database>,
  engine: Engine,
  tables: readonly T[],
  opts: DeleteExpiredOptions,
): Promise<Record<T, number>> {
  const counts = {} as Record<T, number>;
  for (const t of tables) counts[t] = await deleteExpired(db, engine, t, opts);
  return counts;
}
