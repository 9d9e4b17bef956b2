// "The same statements as raw SQL": records every statement the Vouch app sends to the database driver for one
// ingestion request (rate limit, authentication, lookups, the event inserts and the reputation upserts), then
// replays them straight through the driver — prepared, in one transaction, with fresh external ids each time.
// That is the limit the HTTP path is compared with. Recording happens at the driver (better-sqlite3 statements,
// pg client queries), below Kysely, so statements Vouch compiles itself are recorded too.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { Fixture } from './fixture.ts';
import { configureSqliteConnection } from '../../packages/server/src/storage/lib/sqlite.ts';

export interface Recorded {
  sql: string;
  parameters: readonly unknown[];
}

/** Transaction control: the replayer wraps the whole replay in its own transaction. */
const CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

/** Patches the drivers to push every statement onto `out`; returns the function that undoes it. */
function recordDrivers(out: Recorded[]): () => void {
  const probe = new BetterSqlite3(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>;
  probe.close();
  const restore: Array<() => void> = [];
  for (const method of ['all', 'run', 'get', 'iterate']) {
    const original = statement[method] as (...args: unknown[]) => unknown;
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      const parameters = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
      if (!CONTROL.test(this.source)) out.push({ sql: this.source, parameters: [...parameters] });
      return original.apply(this, args);
    };
    restore.push(() => (statement[method] = original));
  }
  const client = pg.Client.prototype as unknown as Record<string, unknown>;
  const query = client.query as (...args: unknown[]) => unknown;
  client.query = function (this: unknown, ...args: unknown[]) {
    if (typeof args[0] === 'string' && !CONTROL.test(args[0])) {
      out.push({ sql: args[0], parameters: Array.isArray(args[1]) ? [...(args[1] as unknown[])] : [] });
    } else if (
      typeof args[0] === 'object' &&
      args[0] !== null &&
      typeof (args[0] as { text?: unknown }).text === 'string'
    ) {
      // A named prepared statement (the server's pool names parameterised queries): `{name, text, values}`.
      const { text, values } = args[0] as { text: string; values?: unknown[] };
      if (!CONTROL.test(text)) out.push({ sql: text, parameters: Array.isArray(values) ? [...values] : [] });
    }
    return query.apply(this, args);
  };
  restore.push(() => (client.query = query));
  return () => restore.forEach((r) => r());
}

/**
 * Runs `batch` through the fixture's app and returns the statements it sent to the database (after an unrecorded
 * `warmup` batch, so per-process caches are as warm as in the measured server). Nothing else may use the database
 * from this process meanwhile.
 */
export async function recordIngest(f: Fixture, warmup: unknown[], batch: unknown[]): Promise<Recorded[]> {
  const post = (payload: unknown[]) =>
    f.app.app.inject({
      method: 'POST',
      url: '/api/v1/ingest',
      payload: payload as object[],
      headers: { authorization: `Bearer ${f.apiKey}` },
    });
  const warm = await post(warmup);
  if (warm.statusCode !== 200) throw new Error(`warm-up ingest failed: ${warm.statusCode}`);
  const out: Recorded[] = [];
  const stop = recordDrivers(out);
  let res;
  try {
    res = await post(batch);
  } finally {
    stop();
  }
  if (res.statusCode !== 200 || (res.json() as { count: number }).count !== batch.length) {
    throw new Error(`recording ingest failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  }
  return out;
}

/**
 * Replaces the recorded batch's external-id prefix with a fresh one in every parameter, and in every element of an
 * array parameter (PostgreSQL statements bind a column of rows as one array).
 */
function withPrefix(params: readonly unknown[], from: string, to: string): unknown[] {
  const fresh = (p: unknown): unknown =>
    typeof p === 'string' && p.startsWith(from) ? to + p.slice(from.length) : Array.isArray(p) ? p.map(fresh) : p;
  return params.map(fresh);
}

export interface RawReplayer {
  /** Replays the recorded statements once, with external ids starting `prefix`. */
  replay(prefix: string): Promise<void>;
  close(): Promise<void>;
}

/** Where the fixture's database is. */
export type DatabasePlace = Pick<Fixture, 'engine' | 'dataDir' | 'pgUrl' | 'pgSchema'>;

/** A replayer on the fixture's database through its own driver connection. */
export async function rawReplayer(
  f: DatabasePlace,
  recorded: Recorded[],
  recordedPrefix: string,
): Promise<RawReplayer> {
  if (f.engine === 'sqlite') {
    const db = new BetterSqlite3(join(f.dataDir, 'vouch.db'));
    // The server's connection settings: foreign keys enforced on every insert, as they are for the server.
    configureSqliteConnection(db);
    const statements = recorded.map((r) => ({ stmt: db.prepare(r.sql), parameters: r.parameters }));
    return {
      async replay(prefix) {
        db.exec('begin');
        try {
          for (const { stmt, parameters } of statements) {
            const params = withPrefix(parameters, recordedPrefix, prefix);
            if (stmt.reader) stmt.all(...params);
            else stmt.run(...params);
          }
          db.exec('commit');
        } catch (err) {
          db.exec('rollback');
          throw err;
        }
      },
      async close() {
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: f.pgUrl, options: `-c search_path=${f.pgSchema}` });
  await client.connect();
  const named = recorded.map((r, i) => ({ name: `vouch_bench_${i}`, text: r.sql, parameters: r.parameters }));
  return {
    async replay(prefix) {
      await client.query('begin');
      try {
        for (const q of named) {
          await client.query({ name: q.name, text: q.text, values: withPrefix(q.parameters, recordedPrefix, prefix) });
        }
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw err;
      }
    },
    async close() {
      await client.end();
    },
  };
}
