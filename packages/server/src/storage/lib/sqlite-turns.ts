// Turns on SQLite's one connection, first come first served. Kysely's SQLite driver guards the connection with a
// mutex whose every release wakes every waiter, and all but one go back to sleep: with 64 requests in flight, each
// query cost 64 wake-ups (a tenth of the gateway's intercept CPU in a profile). This driver hands the connection to
// the longest waiter alone; the inner driver does the rest, and its own mutex is then never contended.
import { SqliteDialect } from 'kysely';
import type { DatabaseConnection, Driver, QueryCompiler, TransactionSettings } from 'kysely';

class TurnTakingDriver implements Driver {
  readonly #inner: Driver;
  #held = false;
  readonly #waiting: Array<() => void> = [];

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
      return await this.#inner.acquireConnection();
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
