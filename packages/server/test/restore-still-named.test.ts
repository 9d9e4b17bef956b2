// restoreSqlite clears the header of the database it replaced only once that file has no name left: a file still named
// elsewhere (another hard link to it) is someone's database, not a leftover only a racing process could reach. And
// that file, under any of its names, is the database itself as input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { backupSqlite, loadConfig, RestoreError, restoreSqlite } from '../src/index.ts';
import type { Config } from '../src/index.ts';
import { checkKek, openStorage, readKek } from '../src/storage/index.ts';
import { writeTestKek } from './helpers/app.ts';

const quiet = { warn: () => undefined };

/** A data directory holding a Vouch database with a row written after its backup, and the backup. */
async function deployment(t: {
  after: (fn: () => Promise<void>) => void;
}): Promise<{ dir: string; config: Config; backup: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-restore-named-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  const storage = await openStorage({ dataDir });
  writeTestKek(join(dataDir, 'kek.key'));
  await checkKek(storage, await readKek(join(dataDir, 'kek.key')), 1);
  await storage.close();
  const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
  const backup = join(dir, 'backup.db');
  await backupSqlite(config, backup, { force: false }, quiet);
  const db = new BetterSqlite3(join(dataDir, 'vouch.db'));
  db.prepare("insert into meta (key, value, created_at) values ('after-backup', 'x', 2)").run();
  db.close();
  return { dir, config, backup };
}

/** Whether `file` still opens as the replaced database, with the row written after the backup. */
function holdsLaterRow(file: string): boolean {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("select 1 from meta where key = 'after-backup'").get() !== undefined;
  } finally {
    db.close();
  }
}

test('a restore over a vouch.db that is a symbolic link keeps the file it named as the kept copy', async (t) => {
  const { dir, config, backup } = await deployment(t);
  const elsewhere = join(dir, 'disk');
  await mkdir(elsewhere, { mode: 0o700 });
  const real = join(elsewhere, 'vouch.db');
  await rename(join(config.dataDir, 'vouch.db'), real);
  await symlink(real, join(config.dataDir, 'vouch.db'));

  // The file the link names is restored in place (restore-linked-database.test.ts); what it held is kept beside it.
  const done = await restoreSqlite(config, backup, { force: true, now: new Date(0) }, quiet);
  assert.equal(done.previous, `${real}.before-restore-1970-01-01T00-00-00-000Z`);
  assert.ok(holdsLaterRow(done.previous));
  assert.equal(holdsLaterRow(real), false);
  assert.equal(holdsLaterRow(join(config.dataDir, 'vouch.db')), false);
});

test('a restore over a vouch.db with another hard link leaves that name readable', async (t) => {
  const { dir, config, backup } = await deployment(t);
  const other = join(dir, 'snapshot.db');
  await link(join(config.dataDir, 'vouch.db'), other);

  await restoreSqlite(config, backup, { force: true, now: new Date(0) }, quiet);
  assert.ok(holdsLaterRow(other), 'the other name of the replaced file is not cleared');
  assert.equal(holdsLaterRow(join(config.dataDir, 'vouch.db')), false);
});

test('the file a linked vouch.db names is refused as input: it is the database being restored', async (t) => {
  const { dir, config } = await deployment(t);
  const elsewhere = join(dir, 'disk');
  await mkdir(elsewhere, { mode: 0o700 });
  const real = join(elsewhere, 'real.db');
  await rename(join(config.dataDir, 'vouch.db'), real);
  await symlink(real, join(config.dataDir, 'vouch.db'));
  const other = join(dir, 'other.db');
  await link(real, other);

  for (const input of [real, other]) {
    await assert.rejects(
      restoreSqlite(config, input, { force: true, now: new Date(0) }, quiet),
      (err: unknown) =>
        err instanceof RestoreError &&
        err.code === 'INPUT_INVALID' &&
        /is the database being restored/.test(err.message),
      input,
    );
  }
  assert.ok(holdsLaterRow(real));
});
