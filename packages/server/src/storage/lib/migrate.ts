import { Migrator, sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../engine.ts';
import { StorageError } from '../errors.ts';
import { describeCause } from './error-cause.ts';
import { MIGRATIONS } from '../migrations/index.ts';
import type { Database } from '../schema.ts';

/** Our own bookkeeping tables, so Vouch can share a database or schema with another Kysely application. */
export const MIGRATION_TABLE = 'vouch_migration';
export const MIGRATION_LOCK_TABLE = 'vouch_migration_lock';

/**
 * Applies every pending migration. On PostgreSQL Kysely holds an advisory lock and a transaction while it reads
 * the applied list and migrates, so concurrent starters wait and then find nothing to do. SQLite callers provide
 * their own exclusion (see `sqlite.ts`). `schema` pins the bookkeeping tables to one PostgreSQL schema, because
 * Kysely's existence check otherwise matches a `vouch_migration` table in any schema of the database.
 * `list` is the migrations to apply, in order; tests pass a prefix to stand up a database of an earlier version.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  engine: Engine,
  schema?: string,
  list: typeof MIGRATIONS = MIGRATIONS,
): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const [name, migration] of list) {
    migrations[name] = {
      up: async (d) => {
        await assertAppliedBefore(d as Kysely<Database>, schema, name);
        await migration.up(d, engine);
      },
    };
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    migrationTableSchema: schema,
    // Kysely's own order check sorts the applied migrations by the wall-clock time recorded for each: a clock
    // stepped back between two of them (NTP at boot, a host whose clock was ahead) made every later start fail with
    // "corrupted migrations". The order that matters is the names' order, checked by assertAppliedBefore instead.
    // Applied migrations this version does not know are still refused (a newer database, below).
    allowUnorderedMigrations: true,
  });
  let { error, results } = await migrator.migrateToLatest();
  // Vouch's own pools introspect their current schema alone (schema-introspector.ts). A Kysely instance with the
  // stock introspector reads every schema of the database and fails (3F000, 42P01, 42703) when another session drops
  // a schema or table at that moment. No migration ran then (`results` is undefined), so trying again is safe.
  // On PostgreSQL a migration that the server aborted to break a deadlock (40P01) or a serialization conflict (40001)
  // is tried again too: during a rolling upgrade, older instances keep writing to the tables a migration locks. Kysely
  // runs every pending migration in one transaction there, DDL included, so the abort rolled all of them back.
  const again = (err: unknown, ran: unknown): boolean =>
    ran === undefined ? isConcurrentDrop(err) : engine === 'postgres' && isAbortedToResolve(err);
  for (let retry = 0; retry < 5 && error !== undefined && again(error, results); retry++) {
    await new Promise((resolve) => setTimeout(resolve, 20 * (retry + 1)));
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error !== undefined) {
    // Kysely calls this "corrupted migrations", which reads like a damaged database (restore a backup?): it is a
    // database a newer Vouch migrated, met by an older one restarting during a rolling upgrade, or by a downgrade.
    const newer = results === undefined ? await unknownMigrations(db, schema, list) : [];
    if (newer.length > 0) {
      throw new StorageError(
        'MIGRATION_FAILED',
        `The database was migrated by a newer version of Vouch (it has migration ${newer.join(', ')}; this version ` +
          `knows up to ${list.at(-1)?.[0] ?? 'none'}): nothing was changed. Start that version or a later one; ` +
          'a database cannot be taken back to an earlier version except from a backup taken before the upgrade.',
        { cause: error },
      );
    }
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const what = failed === undefined ? 'Bringing the database schema up to date' : `Database migration ${failed}`;
    throw new StorageError(
      'MIGRATION_FAILED',
      `${what} failed; the schema was left as it was (${describeCause(error)}).`,
      { cause: error },
    );
  }
}

/**
 * A PostgreSQL error (SQLSTATE) from the bookkeeping queries that another session's concurrent catalog change can
 * cause: invalid_schema_name (3F000), undefined_table (42P01), undefined_column (42703), undefined_object (42704),
 * internal "cache lookup failed" (XX000), deadlock (40P01), serialization (40001), unique violation on a catalog
 * index (23505). Connection and authentication failures (classes 08 and 28) and a missing database (3D000) are not
 * retried.
 */
function isConcurrentDrop(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' && ['3F000', '42P01', '42703', '42704', 'XX000', '40P01', '40001', '23505'].includes(code)
  );
}

/**
 * In the migration's transaction, before `name` runs: throws unless no applied migration sorts after `name`, so the
 * applied ones stay a prefix of the list by name (the order Kysely checked by recorded time, which a clock can upset).
 */
async function assertAppliedBefore(db: Kysely<Database>, schema: string | undefined, name: string): Promise<void> {
  const table = schema === undefined ? sql.id(MIGRATION_TABLE) : sql.id(schema, MIGRATION_TABLE);
  const { rows } = await sql<{ name: string }>`select name from ${table}`.execute(db);
  // Compared here, not in SQL, where a PostgreSQL collation could order the names otherwise.
  const later = rows.map((r) => r.name).filter((applied) => applied > name);
  if (later.length > 0) {
    throw new Error(
      `migration ${name} was never applied but the later ${later.sort().join(', ')} was: the database has a gap ` +
        'in its migrations, which no Vouch version leaves',
    );
  }
}

/** PostgreSQL's deadlock_detected (40P01) and serialization_failure (40001): the transaction was rolled back whole. */
function isAbortedToResolve(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** Applied migrations `list` does not have: what a newer version added. Empty when they cannot be read. */
async function unknownMigrations(
  db: Kysely<Database>,
  schema: string | undefined,
  list: typeof MIGRATIONS,
): Promise<string[]> {
  const known = new Set(list.map(([name]) => name));
  // Each name quoted on its own: a schema named with a dot (the search_path's, any name) is one identifier.
  const table = schema === undefined ? sql.id(MIGRATION_TABLE) : sql.id(schema, MIGRATION_TABLE);
  try {
    const { rows } = await sql<{ name: string }>`select name from ${table} order by name`.execute(db);
    return rows.map((r) => r.name).filter((name) => !known.has(name));
  } catch {
    return [];
  }
}
