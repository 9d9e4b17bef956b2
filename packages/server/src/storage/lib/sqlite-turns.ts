// Turns on SQLite's one connection, first come first served. Kysely's SQLite driver guards the connection with a
// mutex whose every release wakes every waiter, and all but one go back to sleep: with 64 requests in flight, each
// query cost 64 wake-ups (a tenth of the gateway's intercept CPU in a profile). This driver hands the connection to
// the longest waiter alone; the inner driver does the rest, and its own mutex is then never contended.
//
// It also waits for another process's write lock without blocking the event loop. better-sqlite3 is synchronous, so
// SQLite's own busy timeout would hold the only thread for as long as it waits (every request of the process,
// /healthz included, stood still up to 5 s per statement); the connection instead runs with no busy timeout and a
// statement refused with SQLITE_BUSY is tried again after an asynchronous pause, up to BUSY_WAIT_MS.
import { SqliteDialect } from 'kysely';
import type {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';

/** How long a statement keeps trying while another connection holds SQLite's write lock; then SQLITE_BUSY (503). */
export const BUSY_WAIT_MS = 5_000;
/** The longest pause between two tries. */
const BUSY_PAUSE_MAX_MS = 50;

/**
 * A connection whose statements wait asynchronously for the write lock. Only the plain SQLITE_BUSY code is retried:
 * the statement did nothing (the lock was not granted). An extended code such as SQLITE_BUSY_SNAPSHOT is final.
 */
class PatientConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;

  constructor(inner: DatabaseConnection) {
    this.inner = inner;
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // Kysely's SQLite connection throws synchronously (better-sqlite3 runs the statement in the call).
    let result: Promise<QueryResult<R>>;
    try {
      result = this.inner.executeQuery<R>(query);
    } catch (err) {
      return this.#retry<R>(query, err);
    }
    return result;
  }

  async #retry<R>(query: CompiledQuery, first: unknown): Promise<QueryResult<R>> {
    const deadline = Date.now() + BUSY_WAIT_MS;
    let err = first;
    for (let pause = 1; isBusy(err) && Date.now() < deadline; pause = Math.min(pause * 2, BUSY_PAUSE_MAX_MS)) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      try {
        return await this.inner.executeQuery<R>(query);
      } catch (again) {
        err = again;
      }
    }
    throw err;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

function isBusy(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'SQLITE_BUSY';
}

class TurnTakingDriver implements Driver {
  readonly #inner: Driver;
  #held = false;
  readonly #waiting: Array<() => void> = [];
  /** The one connection SQLite's driver hands out, wrapped once. */
  #patient: PatientConnection | undefined;

  constructor(inner: Driver) {
    this.#inner = inner;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // When the connection is held, wait for the holder to hand it over: `#held` stays true across the hand-over, so
    // nobody who arrives in between takes the turn.
    if (this.#held) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#held = true;
    try {
      const connection = await this.#inner.acquireConnection();
      if (this.#patient?.inner !== connection) this.#patient = new PatientConnection(connection);
      return this.#patient;
    } catch (err) {
      this.#handOver();
      throw err;
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    try {
      await this.#inner.releaseConnection(connection);
    } finally {
      this.#handOver();
    }
  }

  /** Gives the turn to the longest waiter, or frees the connection. */
  #handOver(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#held = false;
    else next();
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await this.#inner.rollbackTransaction(connection);
    } catch (err) {
      // SQLite rolls a transaction back itself on some errors (SQLITE_FULL, SQLITE_IOERR): the rollback then finds
      // none, and its error would replace the one that matters (a full disk answered 500 as "no transaction").
      if (err instanceof Error && err.message.includes('no transaction is active')) return;
      throw err;
    }
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.#inner.savepoint!(connection, name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#inner.rollbackToSavepoint!(connection, name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#inner.releaseSavepoint!(connection, name, compile);
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

/** Kysely's SQLite dialect, with turns on the connection handed to one waiter at a time, in arrival order. */
export class TurnTakingSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    return new TurnTakingDriver(super.createDriver());
  }
}
