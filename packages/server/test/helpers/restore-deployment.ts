// A data directory holding a Vouch database bound to its KEK, with a row written after its backup, and that backup:
// what the restore tests replace and restore.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { backupSqlite, loadConfig } from '../../src/index.ts';
import type { Config } from '../../src/index.ts';
import { checkKek, openStorage, readKek } from '../../src/storage/index.ts';
import { writeTestKek } from './app.ts';

export const quiet = { warn: () => undefined };

type AfterHook = { after: (fn: () => Promise<void>) => void };

/** A temporary `<dir>/data` (removed after the test) holding a Vouch database bound to the KEK in its kek.key. */
export async function kekBoundDataDir(t: AfterHook, prefix: string): Promise<{ dir: string; dataDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  const storage = await openStorage({ dataDir });
  writeTestKek(join(dataDir, 'kek.key'));
  await checkKek(storage, await readKek(join(dataDir, 'kek.key')), 1);
  await storage.close();
  return { dir, dataDir };
}

/** `<dir>/data` with a database and `<dir>/backup.db`; the database has meta key `after-backup`, the backup not. */
export async function restoreDeployment(t: AfterHook): Promise<{ dir: string; config: Config; backup: string }> {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-restore-');
  const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
  const backup = join(dir, 'backup.db');
  await backupSqlite(config, backup, { force: false }, quiet);
  const db = new BetterSqlite3(join(dataDir, 'vouch.db'));
  db.prepare("insert into meta (key, value, created_at) values ('after-backup', 'x', 2)").run();
  db.close();
  return { dir, config, backup };
}

/** Whether `file` opens as the database written after the backup (it has meta key `after-backup`). */
export function holdsLaterRow(file: string): boolean {
  return holdsMetaKey(file, 'after-backup');
}

/**
 * Copies the SQLite database `from` to `to` with one more commit (meta key `key`) only in `to`-wal: the files as they
 * stand while a WAL-mode connection that never checkpointed holds them open (a process killed, a machine that lost
 * power), with no process holding them now. With `truncated`, a TRUNCATE checkpoint has moved the commit into `to`
 * and its -wal file is empty. `dir` holds the scratch copy.
 */
export async function copyWithWalCommit(
  dir: string,
  from: string,
  to: string,
  key: string,
  truncated = false,
): Promise<void> {
  const work = join(dir, `wal-scratch-${key}.db`);
  await copyFile(from, work);
  const writer = new BetterSqlite3(work);
  try {
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("insert into meta (key, value, created_at) values (?, 'x', 3)").run(key);
    if (truncated) writer.pragma('wal_checkpoint(TRUNCATE)');
    await copyFile(work, to);
    await copyFile(`${work}-wal`, `${to}-wal`);
  } finally {
    writer.close();
  }
}

/** Whether the SQLite database `file` has meta key `key`. */
export function holdsMetaKey(file: string, key: string): boolean {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('select 1 from meta where key = ?').get(key) !== undefined;
  } finally {
    db.close();
  }
}
