// The migrations at start run on a connection of their own that waits for locks as long as it takes (an older
// instance still serving during a rolling upgrade may hold one). That connection took the database URL's `options`
// too, and nothing of Vouch's after them: an operator's `-c lock_timeout=...` or `-c statement_timeout=...` (the
// documented way to set session settings) bounded the migrations, which then failed the start, and every restart
// after it, for as long as the lock or the migration's work outlasted the setting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { Kysely } from 'kysely';
import { MIGRATIONS, openStorage } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { migrateToLatest } from '../../src/storage/lib/migrate.ts';
import { CurrentSchemaPostgresDialect } from '../../src/storage/lib/schema-introspector.ts';
import type { Database } from '../../src/storage/schema.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The values bound the migration's wait behind the lock many times over. A lock_timeout touches nothing else; a
// statement_timeout also bounds the serving pool's statements (as the operator asked), and 1 ms failed its first
// `select 1` on a loaded machine, so it is one no plain statement here comes near.
for (const [setting, ms] of [
  ['lock_timeout', 1],
  ['statement_timeout', 250],
] as const) {
  test(`a ${setting} in the URL's options does not bound the migrations at start`, async (t) => {
    if (TEST_DATABASE_URL === undefined) {
      t.skip(PG_SKIP_REASON);
      return;
    }
    const schema = freshSchema();
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-migration-timeouts-'));
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1, options: `-c search_path=${schema}` });
    const db = new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
    const holder = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
    let storage: Storage | undefined;
    let opening: Promise<Storage> | undefined;
    try {
      await pool.query(`create schema ${schema}`);
      // A database one migration behind, as an upgrade finds it.
      await migrateToLatest(db, 'postgres', schema, MIGRATIONS.slice(0, -1));
      await holder.connect();
      const holderPid = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      // Another session's transaction holds the table every migration run reads and writes (not the table the last
      // migration changes: that depends on which migration is last).
      await holder.query('begin');
      await holder.query('lock table vouch_migration in access exclusive mode');

      let failed: unknown;
      opening = openStorage({
        dataDir,
        databaseUrl: `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c ${setting}=${ms}`)}`,
        pgSchema: schema,
        pgPoolMax: 2,
      });
      opening.catch((err: unknown) => {
        failed = err;
      });
      // Until the migration has waited behind the lock four times the setting (and at least 100 ms) by PostgreSQL's
      // clock, or the start has failed.
      const waitMs = Math.max(100, 4 * ms);
      for (let i = 0; ; i++) {
        if (failed !== undefined) break;
        const { rows } = await pool.query<{ waited: boolean }>(
          `select now() - query_start > make_interval(secs => $2::float8 / 1000) as waited from pg_stat_activity
            where $1 = any(pg_blocking_pids(pid))`,
          [holderPid, waitMs],
        );
        if (rows[0]?.waited === true) break;
        assert.ok(i < 4000, 'the migration never waited behind the lock');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.equal(failed, undefined, `the start failed: ${String(failed)}`);
      await holder.query('commit');
      storage = await opening;
      await storage.ping();
    } finally {
      await holder.end().catch(() => undefined);
      await opening?.catch(() => undefined);
      await storage?.close();
      await db.destroy();
      await dropSchema(TEST_DATABASE_URL, schema);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
}
