// Every statement an app sends to the database drivers while a function runs: recorded at the drivers
// (better-sqlite3 statements, pg client queries), below Kysely, so SQL the storage writes itself (multi-row inserts,
// advisory locks) is counted as well as what Kysely compiles. For tests of how many statements a request costs.
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

/** Transaction control, not counted: BEGIN, COMMIT, ROLLBACK, savepoints. */
const CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

/**
 * Runs `run` and returns its result with the SQL text of every statement the drivers executed meanwhile (transaction
 * control left out). Nothing else in the process may use a database meanwhile: it would be recorded too.
 *
 * @example
 * const { statements } = await recordStatements(() => ingest(t, key, batch));
 */
export async function recordStatements<T>(run: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const probe = new BetterSqlite3(':memory:');
  const sqliteStatement = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>;
  probe.close();
  const client = pg.Client.prototype as unknown as Record<string, unknown>;
  const originals = new Map<Record<string, unknown>, Map<string, unknown>>([
    [sqliteStatement, new Map()],
    [client, new Map()],
  ]);
  const record = (text: unknown) => {
    if (typeof text === 'string' && !CONTROL.test(text)) statements.push(text);
  };
  for (const method of ['all', 'run', 'get', 'iterate']) {
    const original = sqliteStatement[method] as (...args: unknown[]) => unknown;
    originals.get(sqliteStatement)!.set(method, original);
    sqliteStatement[method] = function (this: { source: string }, ...args: unknown[]) {
      record(this.source);
      return original.apply(this, args);
    };
  }
  const query = client.query as (...args: unknown[]) => unknown;
  originals.get(client)!.set('query', query);
  client.query = function (this: unknown, ...args: unknown[]) {
    // A text, or a named prepared statement `{name, text, values}` (the server's pool names parameterised queries).
    record(typeof args[0] === 'string' ? args[0] : (args[0] as { text?: unknown } | null)?.text);
    return query.apply(this, args);
  };
  try {
    return { result: await run(), statements };
  } finally {
    for (const [target, methods] of originals) for (const [name, fn] of methods) target[name] = fn;
  }
}
