// During a rolling upgrade older instances keep serving while the first newer one migrates: a migration that locks
// tables in another order than an older instance's transaction can deadlock with it, and PostgreSQL may break the
// deadlock by aborting the migration (40P01). Its transaction, DDL included, is rolled back whole, so it can run
// again; the start used to fail instead ("Database migration ... failed"), for a process supervisor to retry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { MIGRATIONS } from '../../src/storage/index.ts';
import type { VouchMigration } from '../../src/storage/index.ts';
import { migrateToLatest } from '../../src/storage/lib/migrate.ts';
import { CurrentSchemaPostgresDialect } from '../../src/storage/lib/schema-introspector.ts';
import type { Database } from '../../src/storage/schema.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

test('a migration PostgreSQL aborts to break a deadlock runs again, and the start succeeds', async (t) => {
  if (TEST_DATABASE_URL === undefined) {
    t.skip(PG_SKIP_REASON);
    return;
  }
  const schema = freshSchema();
  // The migration's session finds the deadlock first (100 ms), so it is the one PostgreSQL aborts.
  const pool = new pg.Pool({
    connectionString: TEST_DATABASE_URL,
    max: 1,
    options: `-c search_path=${schema} -c deadlock_timeout=100ms`,
  });
  const db = new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
  // An older instance's transaction: never the deadlock's victim here, so the migration is.
  const older = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
  const watcher = new pg.Client({ connectionString: TEST_DATABASE_URL });
  let olderWaits: Promise<unknown> | undefined;
  try {
    await sql`create schema ${sql.id(schema)}`.execute(db);
    await migrateToLatest(db, 'postgres', schema, MIGRATIONS);
    await sql`create table first_t (x int)`.execute(db);
    await sql`create table second_t (x int)`.execute(db);
    await older.connect();
    await watcher.connect();
    const olderPid = (await older.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    await older.query(`set deadlock_timeout = '60s'`);

    let runs = 0;
    const probe: VouchMigration = {
      async up(d) {
        runs++;
        await sql`alter table first_t add column y int`.execute(d);
        if (runs === 1) {
          // The older instance holds second_t and now waits for first_t, which this migration holds.
          await older.query('begin');
          await older.query('lock table second_t in row exclusive mode');
          olderWaits = older.query('insert into first_t (x) values (1)').then(() => older.query('commit'));
          const migratorPid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(d)).rows[0]!.pid;
          // Polled (bounded): the older transaction is queued behind this migration's lock.
          for (let i = 0; ; i++) {
            const { rows } = await watcher.query<{ n: number }>(
              'select count(*)::int as n from pg_stat_activity where pid = $1 and $2 = any(pg_blocking_pids(pid))',
              [olderPid, migratorPid],
            );
            if (rows[0]!.n === 1) break;
            if (i > 2000) throw new Error('the older transaction never waited');
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }
        // Waits for second_t, which the older instance holds: a deadlock on the first run.
        await sql`alter table second_t add column y int`.execute(d);
      },
    };
    await migrateToLatest(db, 'postgres', schema, [...MIGRATIONS, ['9000_deadlock_probe', probe]]);
    await olderWaits;
    assert.equal(runs, 2, 'the aborted migration ran once more');
    const { rows } = await sql<{
      name: string;
    }>`select name from vouch_migration where name = ${'9000_deadlock_probe'}`.execute(db);
    assert.equal(rows.length, 1);
    const cols = await sql<{ n: number }>`select count(*)::int as n from information_schema.columns
      where table_schema = ${schema} and column_name = 'y'`.execute(db);
    assert.equal(cols.rows[0]!.n, 2);
  } finally {
    await olderWaits?.catch(() => undefined);
    await older.end().catch(() => undefined);
    await watcher.end().catch(() => undefined);
    await db.destroy();
    await dropSchema(TEST_DATABASE_URL, schema);
  }
});
