import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { StorageError } from '../errors.ts';
import { cannotConnect, describeCause } from './error-cause.ts';
import type { Database } from '../schema.ts';
import { migrateToLatest } from './migrate.ts';
import { CurrentSchemaPostgresDialect } from './schema-introspector.ts';
import { nameStatements } from './pg-statements.ts';
import { explicitSslMode } from './pg-sslmode.ts';

const INT8_OID = 20;
/** Test schemas are generated names; anything else is refused rather than quoted. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * pg returns int8 as a string to avoid precision loss. Our int8 columns hold ms epochs and counters, far below
 * 2^53, so they parse as numbers; a value that is not a safe integer fails the query instead of rounding.
 * Scoped to our pool, not pg's global parsers, so other pg users in the process are unaffected.
 */
function int8Types(): pg.TypeOverrides {
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, (text: string) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new RangeError('An int8 value is outside the safe integer range.');
    return n;
  });
  return types;
}

export interface PostgresOptions {
  schema?: string;
  poolMax?: number;
  /** Run parameterised queries as named prepared statements (default true; see pg-statements.ts). */
  preparedStatements?: boolean;
  /** Longest wait for a row or table lock, in ms, before the statement fails (0: no limit); default 5,000. */
  lockTimeoutMs?: number;
  /** Told why whenever a serving connection is lost (see `OpenStorageOptions.onConnectionLost`). */
  onConnectionLost?: (cause: string) => void;
}

/** The migration connection's session: no limit on a lock wait, a statement, or the JavaScript between statements. */
const MIGRATION_SETTINGS = ['lock_timeout=0', 'statement_timeout=0', 'idle_in_transaction_session_timeout=0'];
/** A serving transaction left open (a stuck client, a lost reply) is ended by the server after this long. */
const IDLE_IN_TRANSACTION_MS = 60_000;
/** TCP keep-alive on every connection, so one silently dropped (NAT, firewall, failover) is noticed and replaced. */
const KEEPALIVE_DELAY_MS = 10_000;

/**
 * Connects a pool to `url`, optionally confined to `schema` (created if absent; set as `search_path` in each
 * connection's startup packet, so every pooled connection sees it), and migrates.
 */
export async function openPostgres(url: string, opts: PostgresOptions): Promise<Kysely<Database>> {
  const { schema, poolMax = 10, preparedStatements = true, lockTimeoutMs = 5_000, onConnectionLost } = opts;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new StorageError('INVALID_ARGUMENT', 'pgSchema must be a lower-case identifier of at most 63 characters.');
  }
  if (!Number.isSafeInteger(poolMax) || poolMax < 1) {
    throw new StorageError('INVALID_ARGUMENT', 'pgPoolMax must be a positive integer.');
  }
  if (!Number.isSafeInteger(lockTimeoutMs) || lockTimeoutMs < 0) {
    throw new StorageError('INVALID_ARGUMENT', 'lockTimeoutMs must be a non-negative integer.');
  }
  // Migrations run on a connection of their own, with no lock timeout of Vouch's: a process starting while another
  // migrates waits for it (Kysely's migrator bounds that wait, and the migration's own lock waits, at one hour).
  // Serving connections then wait for a lock at most `lockTimeoutMs`, so a held lock is a 503 in bounded time rather
  // than a request that never ends. The limits are lifted explicitly, after the URL's own options and over the role's
  // settings: a migration cut short by a `lock_timeout` or `statement_timeout` meant for requests failed the start, and
  // every restart after it.
  const migrator = kyselyOn(url, schema, 1, MIGRATION_SETTINGS);
  try {
    try {
      await sql`select 1`.execute(migrator);
    } catch (err) {
      throw cannotConnect(err, url);
    }
    if (schema !== undefined) await createSchema(migrator, schema);
    await migrateToLatest(migrator, 'postgres', schema ?? (await currentSchema(migrator)));
  } finally {
    await migrator.destroy();
  }
  const settings = [`lock_timeout=${lockTimeoutMs}`, `idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}`];
  const lost = onConnectionLost === undefined ? undefined : (err: unknown) => onConnectionLost(describeCause(err, url));
  const db = kyselyOn(url, schema, poolMax, settings, preparedStatements, lost);
  try {
    // One query now: it checks the settings, and Kysely's destroy() ends only a pool it has used, so close() must
    // find this one in use.
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy();
    throw cannotConnect(err, url);
  }
  return db;
}

/** A pool on `url` whose connections start with `search_path` (when `schema` is given) and `settings`. */
function kyselyOn(
  url: string,
  schema: string | undefined,
  max: number,
  settings: string[],
  preparedStatements = false,
  onLost: (err: unknown) => void = () => undefined,
): Kysely<Database> {
  const pool = new pg.Pool({ ...clientConfig(url, schema, settings), max, types: int8Types() });
  // A lost connection emits 'error' on its client, idle or checked out; unhandled, that would kill the process. The
  // pool drops an idle one itself (and re-emits the error on the pool, ignored here: it was reported once already);
  // a checked-out one fails its query (DATABASE_UNAVAILABLE, a 503) and is discarded on release.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', onLost));
  if (preparedStatements) nameStatements(pool);
  return new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
}

/**
 * How to connect one client to `url`: `search_path` (when `schema` is given) and `settings` in its startup packet,
 * after the URL's own options; TCP keep-alive. The pool's connections and the change listener's (pg-listener.ts).
 */
export function clientConfig(url: string, schema: string | undefined, settings: string[] = []): pg.ClientConfig {
  const own = [...(schema === undefined ? [] : [`search_path=${schema}`]), ...settings].map((s) => `-c ${s}`);
  const { url: rest, options: theirs } = splitOptions(explicitSslMode(url));
  // The URL's own options first, then Vouch's: the server applies them in order, so Vouch's settings hold.
  const options = [...(theirs === undefined ? [] : [theirs]), ...own];
  return {
    connectionString: rest,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    ...(options.length === 0 ? {} : { options: options.join(' ') }),
  };
}

/**
 * `url` without its `options` query parameters, and their values joined. pg lets a connection string's `options`
 * replace the pool's outright, which would drop Vouch's `search_path`, `lock_timeout` and idle-transaction limit
 * whenever an operator adds e.g. `?options=-c%20statement_timeout%3D5000`; both are kept instead.
 */
export function splitOptions(url: string): { url: string; options: string | undefined } {
  const q = url.indexOf('?');
  if (q === -1) return { url, options: undefined };
  const hash = url.indexOf('#', q);
  const end = hash === -1 ? url.length : hash;
  const kept: string[] = [];
  const options: string[] = [];
  for (const pair of url.slice(q + 1, end).split('&')) {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    if (name !== 'options') {
      if (pair !== '') kept.push(pair);
      continue;
    }
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    let decoded: string;
    try {
      decoded = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      // Left for pg to refuse as it would have: not a value Vouch can read.
      kept.push(pair);
      continue;
    }
    if (decoded.trim() !== '') options.push(decoded.trim());
  }
  const base = url.slice(0, q) + (kept.length === 0 ? '' : `?${kept.join('&')}`) + url.slice(end);
  return { url: base, options: options.length === 0 ? undefined : options.join(' ') };
}

async function createSchema(db: Kysely<Database>, schema: string): Promise<void> {
  try {
    await db.schema.createSchema(schema).ifNotExists().execute();
  } catch (err) {
    // Two concurrent `create schema if not exists` can still collide on the catalog's unique index.
    const { rows } = await sql`select 1 from pg_namespace where nspname = ${schema}`.execute(db);
    if (rows.length === 0) {
      throw new StorageError('MIGRATION_FAILED', 'Cannot create the PostgreSQL schema.', { cause: err });
    }
  }
}

async function currentSchema(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ name: string | null }>`select current_schema() as name`.execute(db);
  const name = rows[0]?.name;
  if (name === null || name === undefined) {
    throw new StorageError(
      'MIGRATION_FAILED',
      'The PostgreSQL search_path names no existing schema to create tables in.',
    );
  }
  return name;
}
