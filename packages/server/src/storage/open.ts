import { mkdir } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Engine } from './engine.ts';
import { StorageError } from './errors.ts';
import { clientConfig, openPostgres } from './lib/postgres.ts';
import { describeCause } from './lib/error-cause.ts';
import { PgListener } from './lib/pg-listener.ts';
import { NO_CHANGES } from './changes.ts';
import type { ChangeFeed } from './changes.ts';
import { openSqlite } from './lib/sqlite.ts';
import type { Database } from './schema.ts';

export type { Engine } from './engine.ts';

/** An open, migrated database. One per process; every module queries through `db`. */
export interface Storage {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  /** A cheap round trip (`select 1`); throws `StorageError('DATABASE_UNAVAILABLE')` when it fails. */
  ping(): Promise<void>;
  /**
   * Changes other processes announce (changes.ts): on PostgreSQL through a listener connection of its own, opened
   * with the first subscriber and closed with the last (or with the storage); on SQLite, silence.
   */
  readonly changes: ChangeFeed;
  /** Closes the pool or file (and the change listener). Idempotent. */
  close(): Promise<void>;
}

export interface OpenStorageOptions {
  /** `postgres://` or `postgresql://` selects PostgreSQL; absent selects SQLite at `<dataDir>/vouch.db`. */
  databaseUrl?: string;
  /** Created (recursively, mode 0700) if absent. */
  dataDir: string;
  /** Tests only: confine every table to this PostgreSQL schema, created if absent. */
  pgSchema?: string;
  /** Largest PostgreSQL pool size; default 10. */
  pgPoolMax?: number;
  /**
   * PostgreSQL: run parameterised queries as named prepared statements, planned once per connection (default true).
   * Turn off behind a pooler that does not keep prepared statements across transactions (PgBouncer before 1.21 in
   * transaction mode).
   */
  pgPreparedStatements?: boolean;
  /** PostgreSQL: longest wait for a lock in ms before a statement fails (0: no limit); default 5,000. */
  pgLockTimeoutMs?: number;
  /**
   * PostgreSQL: called when a pooled connection is lost (a restart, a failover, a terminated backend, a dropped
   * idle link), with why, fit to log (the URL and password cut out). The pool replaces the connection itself.
   */
  onConnectionLost?: (cause: string) => void;
}

/**
 * Opens the database named by the options and applies pending migrations before returning.
 * Several processes may open the same database at once: exactly one migrates, the others wait for it.
 * Never puts the database URL (which may hold a password) in an error message.
 *
 * @example
 * ```ts
 * const storage = await openStorage({ dataDir: './data', databaseUrl: process.env.VOUCH_DATABASE_URL });
 * await storage.ping();
 * ```
 */
export async function openStorage(opts: OpenStorageOptions): Promise<Storage> {
  if (opts.databaseUrl === undefined) {
    await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
    return wrap(await openSqlite(opts.dataDir), 'sqlite', NO_CHANGES);
  }
  if (!/^postgres(ql)?:\/\//i.test(opts.databaseUrl)) {
    throw new StorageError('INVALID_ARGUMENT', 'VOUCH_DATABASE_URL must start with postgres:// or postgresql://.');
  }
  const db = await openPostgres(opts.databaseUrl, {
    schema: opts.pgSchema,
    poolMax: opts.pgPoolMax,
    preparedStatements: opts.pgPreparedStatements,
    lockTimeoutMs: opts.pgLockTimeoutMs,
    onConnectionLost: opts.onConnectionLost,
  });
  const url = opts.databaseUrl;
  const onLost = opts.onConnectionLost;
  const listener = new PgListener(
    clientConfig(url, opts.pgSchema),
    onLost === undefined ? {} : { onLost: (err) => onLost(`change listener: ${describeCause(err, url)}`) },
  );
  return wrap(db, 'postgres', listener, () => listener.close());
}

/** How long ping() waits for the database. */
export const PING_TIMEOUT_MS = 3_000;

function wrap(
  db: Kysely<Database>,
  engine: Engine,
  changes: ChangeFeed,
  closeChanges: () => Promise<void> = () => Promise.resolve(),
): Storage {
  let closing: Promise<void> | undefined;
  return Object.freeze({
    db,
    engine,
    changes,
    async ping() {
      if (closing !== undefined) throw new StorageError('DATABASE_UNAVAILABLE', 'The database has been closed.');
      // Bounded: a readiness probe must answer, also while every connection hangs on a dead link.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
      });
      try {
        await Promise.race([sql`select 1`.execute(db), late]);
      } catch (err) {
        throw new StorageError('DATABASE_UNAVAILABLE', `The ${engine} database did not answer.`, { cause: err });
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      closing ??= closeChanges().then(() => db.destroy());
      return closing;
    },
  });
}
