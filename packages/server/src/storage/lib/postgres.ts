import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { StorageError } from '../errors.ts';
import { describeCause } from './error-cause.ts';
import type { Database } from '../schema.ts';
import { migrateToLatest } from './migrate.ts';
import { nameStatements } from './pg-statements.ts';

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
}

/**
 * Connects a pool to `url`, optionally confined to `schema` (created if absent; set as `search_path` in each
 * connection's startup packet, so every pooled connection sees it), and migrates.
 */
export async function openPostgres(url: string, opts: PostgresOptions): Promise<Kysely<Database>> {
  const { schema, poolMax = 10, preparedStatements = true } = opts;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new StorageError('INVALID_ARGUMENT', 'pgSchema must be a lower-case identifier of at most 63 characters.');
  }
  if (!Number.isSafeInteger(poolMax) || poolMax < 1) {
    throw new StorageError('INVALID_ARGUMENT', 'pgPoolMax must be a positive integer.');
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    connectionTimeoutMillis: 10_000,
    types: int8Types(),
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle connection the server closes emits 'error' on the pool; unhandled, that would kill the process.
  // The pool drops the connection itself; the next query reconnects or fails, and ping() reports it.
  pool.on('error', () => undefined);
  if (preparedStatements) nameStatements(pool);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    try {
      await sql`select 1`.execute(db);
    } catch (err) {
      throw new StorageError(
        'DATABASE_UNAVAILABLE',
        `Cannot connect to the PostgreSQL database (${describeCause(err, url)}).`,
        { cause: err },
      );
    }
    if (schema !== undefined) await createSchema(db, schema);
    await migrateToLatest(db, 'postgres', schema ?? (await currentSchema(db)));
    return db;
  } catch (err) {
    await db.destroy();
    throw err;
  }
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
