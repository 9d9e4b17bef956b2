import { chmod } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { SqliteDatabase } from 'kysely';
import { StorageError } from '../errors.ts';
import { cannotOpenSqlite, describeCause } from './error-cause.ts';
import type { Database } from '../schema.ts';
import { migrateToLatest } from './migrate.ts';
import { TurnTakingSqliteDialect } from './sqlite-turns.ts';

/** The database file inside the data directory. */
export const SQLITE_FILE = 'vouch.db';

/** The files SQLite keeps beside a database `db`: never to be paired with another database's file. */
export function sqliteCompanions(db: string): string[] {
  return [`${db}-wal`, `${db}-journal`, `${db}-shm`];
}

/**
 * How long SQLite itself waits for another process's write lock, while the database is opened and migrated (one
 * process migrates, the others wait). Once open, statements wait asynchronously instead (sqlite-turns.ts).
 */
const BUSY_TIMEOUT_MS = 5000;

/** Prepared statements kept per connection; more distinct SQL texts than this evict the oldest. */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * SQL texts longer than this are kept apart, at most {@link LARGE_STATEMENT_CACHE_SIZE} of them: a multi-row INSERT
 * has one text per row count, and a prepared statement of a thousand rows takes about 1.5 MB, so a client sending
 * batches of every size could otherwise hold gigabytes in a full cache.
 */
const LARGE_STATEMENT_CHARS = 4096;
const LARGE_STATEMENT_CACHE_SIZE = 8;

/**
 * Opens `<dataDir>/vouch.db` with WAL, foreign keys and a busy timeout, and migrates it.
 * Migrations run inside `BEGIN IMMEDIATE`, which takes SQLite's write lock first: another process opening the
 * same file waits (busy timeout) and then sees the finished schema, and a failed migration rolls back entirely.
 */
export async function openSqlite(dataDir: string): Promise<Kysely<Database>> {
  const file = resolve(join(dataDir, SQLITE_FILE));
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(file);
  } catch (err) {
    throw cannotOpenSqlite(err, file);
  }
  const db = new Kysely<Database>({ dialect: new TurnTakingSqliteDialect({ database: withStatementCache(raw) }) });
  try {
    configureSqliteConnection(raw);
    // Sealed keys and the audit trail live here; SQLite gives the -wal and -shm files the same mode.
    await chmod(file, 0o600);
    await withProcessLock(file, () => migrateExclusively(raw, db));
    // From here a busy statement fails at once and the driver tries it again after an asynchronous pause.
    raw.pragma('busy_timeout = 0');
    return db;
  } catch (err) {
    await db.destroy();
    // Kysely's destroy() closes only a driver that ran a query: a failure before the first (the file is no database,
    // another process held the lock too long, chmod refused) would leave the file open for the life of the process.
    if (raw.open) raw.close();
    if (err instanceof StorageError) throw err;
    // Saying why (a corrupt file, a full disk, a file this process may not change), as a PostgreSQL start does.
    throw new StorageError(
      'DATABASE_UNAVAILABLE',
      `Cannot prepare the SQLite database at ${file} (${describeCause(err)}).`,
      { cause: err },
    );
  }
}

/**
 * The settings every connection to the database file gets: WAL, `synchronous = NORMAL`, enforced foreign keys and a
 * busy timeout (set first, so the journal-mode switch also waits for a concurrent opener). Exported so a tool that
 * opens the file itself (the ingestion bench's raw replay) runs its statements under the same rules as the server.
 */
export function configureSqliteConnection(raw: BetterSqlite3.Database): void {
  raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
}

async function migrateExclusively(raw: BetterSqlite3.Database, db: Kysely<Database>): Promise<void> {
  try {
    raw.exec('begin immediate');
  } catch (err) {
    throw new StorageError('MIGRATION_FAILED', 'Another process held the SQLite database locked too long.', {
      cause: err,
    });
  }
  try {
    await migrateToLatest(db, 'sqlite');
    raw.exec('commit');
  } finally {
    if (raw.inTransaction) raw.exec('rollback');
  }
}

/*
 * better-sqlite3 is synchronous: a second connection in this same process that hit the lock would busy-wait on
 * the only thread while the holder can never finish. So openers of one file in one process take turns here first.
 */
const turns = new Map<string, Promise<void>>();

async function withProcessLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = turns.get(key) ?? Promise.resolve();
  const run = previous.then(fn);
  const done = run.then(
    () => undefined,
    () => undefined,
  );
  turns.set(key, done);
  try {
    return await run;
  } finally {
    if (turns.get(key) === done) turns.delete(key);
  }
}

/**
 * Kysely's SQLite driver prepares every statement again on each call; preparing costs as much as running a small
 * statement. The same SQL text is prepared once per connection and reused (better-sqlite3 re-prepares by itself if the
 * schema changes). Nothing in Vouch iterates a statement lazily, so a cached statement is never busy when reused.
 *
 * Every transaction Kysely begins takes the write lock first (`begin immediate`). A deferred transaction that has
 * read cannot take the lock once another process has committed: it fails at once with SQLITE_BUSY_SNAPSHOT, where
 * waiting (the busy timeout) would have let it finish. In one process the driver runs one transaction at a time
 * anyway, so this only orders processes sharing the file, as a write statement would a moment later.
 *
 * Exported for its test.
 */
export function withStatementCache(raw: Pick<BetterSqlite3.Database, 'prepare' | 'close'>): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  // Least recently used first, so a batch size used steadily keeps its statement.
  const large = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare(text: string) {
      const sql = text === 'begin' ? 'begin immediate' : text;
      if (sql.length > LARGE_STATEMENT_CHARS) {
        let stmt = large.get(sql);
        if (stmt === undefined) {
          stmt = raw.prepare(sql);
          if (large.size >= LARGE_STATEMENT_CACHE_SIZE) large.delete(large.keys().next().value as string);
        } else {
          large.delete(sql);
        }
        large.set(sql, stmt);
        return stmt;
      }
      let stmt = cache.get(sql);
      if (stmt === undefined) {
        stmt = raw.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
