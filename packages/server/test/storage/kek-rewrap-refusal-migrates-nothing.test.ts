// `vouch kek rewrap` refused (the current KEK file holds another key, or the new key is the current one) changes
// nothing: not even the schema of a database an older Vouch left, which opening it for the re-wrap used to migrate
// before the keys were compared ("Nothing changes unless every key opens under the current KEK").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { rewrapDeploymentKek } from '../../src/kek-rewrap.ts';
import { MIGRATIONS, StorageError } from '../../src/storage/index.ts';
import { CHECK_META_KEY, kekCheckValue } from '../../src/storage/kek.ts';
import { migrateToLatest, MIGRATION_TABLE } from '../../src/storage/lib/migrate.ts';
import type { Database } from '../../src/storage/schema.ts';

const T0 = 1_750_000_000_000;
const NO_WARNINGS = { warn: (_: unknown, message: string) => assert.fail(`unexpected warning: ${message}`) };

function appliedIn(file: string): string[] {
  const raw = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return (raw.prepare(`select name from ${MIGRATION_TABLE} order by name`).all() as { name: string }[]).map(
      (r) => r.name,
    );
  } finally {
    raw.close();
  }
}

test('SQLite: a refused re-wrap leaves an older database unmigrated', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-rewrap-refusal-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const kek = randomBytes(32);
  await writeFile(join(dataDir, 'kek.key'), `${kek.toString('hex')}\n`, { mode: 0o600 });
  // A database as the previous version left it: every migration but the last, bound to `kek`.
  const file = join(dataDir, 'vouch.db');
  const raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  await migrateToLatest(db, 'sqlite', undefined, MIGRATIONS.slice(0, -1));
  await db
    .insertInto('meta')
    .values({ key: CHECK_META_KEY, value: kekCheckValue(kek), created_at: T0 })
    .execute();
  await db.destroy();
  const before = appliedIn(file);
  assert.equal(before.length, MIGRATIONS.length - 1);

  const other = join(dataDir, 'other.key');
  await writeFile(other, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const newKek = join(dataDir, 'kek.new');
  await writeFile(newKek, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const cases = [
    { env: { VOUCH_DATA_DIR: dataDir, VOUCH_KEK_FILE: other }, newFile: newKek, code: 'KEK_MISMATCH' },
    { env: { VOUCH_DATA_DIR: dataDir }, newFile: join(dataDir, 'kek.key'), code: 'KEK_UNCHANGED' },
  ];
  for (const { env, newFile, code } of cases) {
    const err = await rewrapDeploymentKek(loadConfig(env), newFile, T0, NO_WARNINGS).catch((e: unknown) => e);
    assert.ok(err instanceof StorageError, String(err));
    assert.equal(err.code, code);
    assert.deepEqual(appliedIn(file), before, `${code}: the database was migrated`);
  }
});
