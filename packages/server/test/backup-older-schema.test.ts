// `vouch backup` of a database an older Vouch left (an upgrade is the time to take one: going back needs a backup
// from before it) counted every table in BACKUP_COUNTED_TABLES, and a table a later migration adds made it fail with
// BACKUP_FAILED ("no such table"), nothing written. Such a table is counted 0, as `vouch restore` counts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { backupSqlite, loadConfig } from '../src/index.ts';
import { MIGRATIONS } from '../src/storage/index.ts';
import { CHECK_META_KEY, kekCheckValue } from '../src/storage/kek.ts';
import { migrateToLatest } from '../src/storage/lib/migrate.ts';
import type { Database } from '../src/storage/schema.ts';

const T0 = 1_750_000_000_000;
const NO_WARNINGS = { warn: (_: unknown, message: string) => assert.fail(`unexpected warning: ${message}`) };

test('a backup of a database from before a counted table existed is written, that table counted 0', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-backup-older-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  const kek = randomBytes(32);
  await mkdir(dataDir, { mode: 0o700 });
  const raw0 = new BetterSqlite3(join(dataDir, 'vouch.db'));
  raw0.pragma('journal_mode = WAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw0 }) });
  // Up to the migration before the one that adds capability_tokens.
  const upTo = MIGRATIONS.findIndex(([name]) => name.endsWith('_capabilities'));
  assert.ok(upTo > 0);
  await migrateToLatest(db, 'sqlite', undefined, MIGRATIONS.slice(0, upTo));
  await db
    .insertInto('meta')
    .values({ key: CHECK_META_KEY, value: kekCheckValue(kek), created_at: T0 })
    .execute();
  await db.destroy();
  await writeFile(join(dataDir, 'kek.key'), `${kek.toString('hex')}\n`, { mode: 0o600 });

  const output = join(dir, 'backup.db');
  const done = await backupSqlite(loadConfig({ VOUCH_DATA_DIR: dataDir }), output, { force: false }, NO_WARNINGS);
  assert.equal(done.schemaVersion, MIGRATIONS[upTo - 1]![0]);
  assert.equal(done.tables.capability_tokens, 0);
  assert.equal(done.kek, 'matches');
  assert.equal((await stat(output)).size, done.bytes);
});
