// Named prepared statements for the PostgreSQL pool. Kysely sends every query as an unnamed statement, which
// PostgreSQL parses and plans on every execution: for the profile read (four tables) planning took about 250 µs of a
// 340 µs round trip on this project's machine, against 95 µs for the same query prepared once per connection. Each
// pooled connection here prepares a parameterised query the first time it runs it and executes the plan after that.
import type pg from 'pg';

/** Distinct query texts that get a name; past this, further texts run unnamed (a bound on server-side memory). */
export const MAX_NAMED_STATEMENTS = 1000;

/**
 * Queries binding more values than this run unnamed: a multi-row statement (a batch of rate-limit windows) has one
 * text per row count, and naming each would fill every connection with plans used once.
 */
export const MAX_NAMED_PARAMETERS = 32;

/** SQLSTATE 0A000 with this message: a prepared `select *` whose tables gained or lost a column since. */
const STALE_RESULT_TYPE = 'cached plan must not change result type';

/** The names given to query texts, shared by every connection of one pool. */
export class StatementNames {
  readonly #names = new Map<string, string>();
  #next = 0;

  constructor(private readonly max: number = MAX_NAMED_STATEMENTS) {}

  /** The name for `text`, or undefined once `max` texts have names and this is not one of them. */
  nameFor(text: string): string | undefined {
    let name = this.#names.get(text);
    if (name === undefined && this.#names.size < this.max) {
      name = `vouch_${this.#next++}`;
      this.#names.set(text, name);
    }
    return name;
  }

  /**
   * Gives `text` a new name: after a schema change made a statement's result type stale, every connection prepares
   * it again under the new name on its next use (the old one stays allocated until the connection closes).
   */
  rename(text: string): void {
    if (this.#names.has(text)) this.#names.set(text, `vouch_${this.#next++}`);
  }

  get size(): number {
    return this.#names.size;
  }
}

type QueryFn = (...args: unknown[]) => unknown;

/**
 * Makes every connection `pool` opens from now on run parameterised queries as named prepared statements. Only a
 * call of the form `query(text, values)` with 1 to {@link MAX_NAMED_PARAMETERS} values and no callback is named:
 * parameterless texts (`begin`, `commit`, migrations with several statements) keep the simple protocol, and cursors,
 * configs and callbacks pass through unchanged. A named query that fails because a schema change made its plan's
 * result type stale is renamed, so the next execution prepares it again; that one failure reaches the caller.
 */
export function nameStatements(pool: pg.Pool, names: StatementNames = new StatementNames()): void {
  pool.on('connect', (client: pg.PoolClient) => {
    // The class's method, looked up on each call: instrumentation that patches `pg.Client.prototype.query` later
    // (tracing, the ingestion bench's recorder) still sees every query.
    const proto = Object.getPrototypeOf(client) as { query: QueryFn };
    const named = function (this: pg.PoolClient, ...args: unknown[]): unknown {
      const query = proto.query;
      const [text, values, callback] = args;
      if (
        typeof text !== 'string' ||
        !Array.isArray(values) ||
        values.length === 0 ||
        values.length > MAX_NAMED_PARAMETERS ||
        callback !== undefined
      ) {
        return query.apply(this, args);
      }
      const name = names.nameFor(text);
      if (name === undefined) return query.apply(this, args);
      const result = query.call(this, { name, text, values }) as Promise<unknown>;
      return result.catch((err: unknown) => {
        if (
          (err as { code?: unknown }).code === '0A000' &&
          String((err as Error).message).includes(STALE_RESULT_TYPE)
        ) {
          names.rename(text);
        }
        throw err;
      });
    };
    (client as unknown as { query: QueryFn }).query = named;
  });
}
