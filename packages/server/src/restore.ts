// `vouch restore`: puts a backup in place of the embedded SQLite database, only when nothing has the database open.
// A server in WAL mode holds a shared lock on vouch.db for as long as it has the file open, so taking SQLite's
// exclusive lock (locking_mode = EXCLUSIVE, then BEGIN EXCLUSIVE) fails at once while any process uses it, idle or
// not. The lock is held until the new file is in place.
import { constants } from 'node:fs';
import { link, mkdir, open, readlink, realpath, rename, rm, rmdir, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { BACKUP_COUNTED_TABLES } from './backup.ts';
import type { Config } from './config.ts';
import { checkKeyFileModes } from './key-file-modes.ts';
import type { KeyFileWarnings } from './key-file-modes.ts';
import { kekFilePath, MIGRATIONS, StorageError } from './storage/index.ts';
import { CHECK_META_KEY } from './storage/kek.ts';
import { kekAgainst } from './kek-report.ts';
import { describeCause } from './storage/lib/error-cause.ts';
import { MIGRATION_TABLE } from './storage/lib/migrate.ts';
import { SQLITE_FILE, sqliteCompanions } from './storage/lib/sqlite.ts';
import { inRealFolder, lstatOrUndefined, namesFolder } from './files/paths.ts';
import {
  describeLeftover,
  findRestoreLeftovers,
  removeLeftovers,
  restoreKeptTempName,
  restoreTempName,
} from './restore-leftovers.ts';
import { syncFile, syncFolder } from './files/sync.ts';

/** What `vouch restore` reports. */
export interface SqliteRestore {
  /**
   * The database written (absolute): `<data dir>/vouch.db`. When that is a symbolic link it is left in place and the
   * file it names was written (`previous` is beside that file).
   */
  database: string;
  /** The backup it was restored from (absolute). */
  input: string;
  bytes: number;
  /** The last migration applied to the backup; a server migrates it further at start if this version knows more. */
  schemaVersion: string;
  /** Row counts of {@link BACKUP_COUNTED_TABLES} in what was restored. */
  tables: Record<string, number>;
  /** The database it replaced, kept here (mode 0600); null when there was none. */
  previous: string | null;
  /** The KEK file a server will unseal the restored keys with: it must be the one the backup was taken under. */
  kekFile: string;
  /**
   * Whether `kekFile` holds the key the restored database was sealed with (`differs`: a server stops with
   * KEK_MISMATCH until the right file is put there; `missing`: there is no file there; `unreadable`: there is one, but
   * it cannot be read or holds no key, and a server stops with KEK_INVALID: `kekProblem` says why).
   */
  kek: 'matches' | 'differs' | 'missing' | 'unreadable';
  /** With `kek: 'unreadable'` only: why the file cannot be used, a sentence naming it (KEK_INVALID's message). */
  kekProblem?: string;
}

/**
 * Why nothing was restored (the database and its folder are as they were): `INPUT_INVALID` (not a file, named as a
 * folder: ending with a slash, `.` or `..`, the database itself, not a SQLite database, damaged or truncated, not a
 * Vouch database, migrated by a newer Vouch, or with commits still in a -wal file or an interrupted transaction in a
 * -journal file beside it), `TARGET_EXISTS` (a database is there and `force` was not given, one appeared meanwhile,
 * or commits of one are beside its absent file),
 * `TARGET_IN_USE` (a server or another process has the database open), `TARGET_UNWRITABLE` (the data directory is
 * missing, not writable, the disk full), `RESTORE_FAILED` (the database there cannot be locked or kept). One thrown
 * after the old database was copied aside says "nothing was restored": the copy is removed again, or the message says
 * where it was left. Once the new database is in place nothing is thrown: what could not be finished (the folder's
 * flush, the removal of a temporary name) is a warning.
 */
export class RestoreError extends Error {
  readonly code: 'INPUT_INVALID' | 'TARGET_EXISTS' | 'TARGET_IN_USE' | 'TARGET_UNWRITABLE' | 'RESTORE_FAILED';
  constructor(code: RestoreError['code'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RestoreError';
    this.code = code;
  }
}

/** The first 16 bytes of every SQLite database file (https://www.sqlite.org/fileformat2.html#magic_header_string). */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** `2026-01-31T10-00-00-000Z`: a moment as a file name takes it. */
function stamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

/**
 * Replaces the deployment's SQLite database with the backup `input`, after checking it (SQLite's integrity check, a
 * Vouch database, no migration this version does not know). The backup is copied into a temporary file (mode 0600)
 * beside the database, checked and flushed to disk before anything else changes; then, holding SQLite's exclusive lock
 * on the database there (refused with `TARGET_IN_USE` while any process has it open), the old database is copied to
 * `<db>.before-restore-<time>` (under a temporary name until whole; only with `force`: without it an existing
 * database is `TARGET_EXISTS`), its -wal, -journal and -shm files are removed, the copy is renamed into place and the
 * folder flushed. A crash leaves either
 * the old database or the new one, never one beside the other's -wal file. A data directory that any user may write
 * is a `ConfigError`, as for a backup's folder. PostgreSQL is `INVALID_ARGUMENT`: pg_restore restores it.
 * A `vouch.db` that is a symbolic link is left in place: all of this happens at, and beside, the file it names.
 * Temporary files an interrupted restore left beside the database are removed once this one is done
 * (findRestoreLeftovers: not one whose process still runs, never a kept copy), each told to `warnings`; a refusal
 * names them and keeps them.
 * `opts.now` names the kept file; `opts.onLocked` (tests only) runs once the lock is held, before anything changes.
 *
 * @example
 * const done = await restoreSqlite(loadConfig(), '/backups/vouch.db', { force: true, now: new Date() }, warnings);
 */
export async function restoreSqlite(
  config: Config,
  input: string,
  opts: { force: boolean; now: Date; onLocked?: () => Promise<void> },
  warnings: KeyFileWarnings,
): Promise<SqliteRestore> {
  if (config.databaseUrl !== undefined) {
    throw new StorageError('INVALID_ARGUMENT', 'A PostgreSQL database is restored with pg_restore or psql.');
  }
  // resolve() drops a trailing slash: `/backups/vouch.db/`, which the system refuses as a file's name, would otherwise
  // be read as the file `/backups/vouch.db`.
  if (namesFolder(input)) {
    throw new RestoreError('INPUT_INVALID', `The input ${input} names a folder: name the backup file itself.`);
  }
  const source = resolve(input);
  const database = join(resolve(config.dataDir), SQLITE_FILE);
  // Opened once: what is checked, copied and reported is that open file, whatever its name comes to name meanwhile.
  const from = await openInput(source, database);
  try {
    return await restoreFrom(from, config, source, database, opts, warnings);
  } finally {
    await from.close();
  }
}

/** {@link restoreSqlite} once the input is open and checked (`from`). */
async function restoreFrom(
  from: FileHandle,
  config: Config,
  source: string,
  database: string,
  opts: { force: boolean; now: Date; onLocked?: () => Promise<void> },
  warnings: KeyFileWarnings,
): Promise<SqliteRestore> {
  // A vouch.db that is a symbolic link puts the database where the operator chose (another disk, say): the file it
  // names is restored, in its own folder, and the link is left as it is.
  const target = await linkTarget(database);
  const warn = (message: string): void => warnings.warn({ file: target, mode: '' }, message);
  // Before this restore's own temporary file exists: what an interrupted one left.
  const leftovers = await findRestoreLeftovers(target);
  let installed = false;
  try {
    const done = await restoreTo(from, config, source, database, target, opts, warnings, warn);
    installed = true;
    await removeLeftovers(leftovers, target, warn);
    return done;
  } finally {
    if (!installed) for (const leftover of leftovers) warn(describeLeftover(leftover, target, false));
  }
}

/** {@link restoreFrom} once the file to replace (`target`) is known. */
async function restoreTo(
  from: FileHandle,
  config: Config,
  source: string,
  database: string,
  target: string,
  opts: { force: boolean; now: Date; onLocked?: () => Promise<void> },
  warnings: KeyFileWarnings,
  warn: (message: string) => void,
): Promise<SqliteRestore> {
  const folder = dirname(database);
  if (!opts.force && (await lstatOrUndefined(target)) !== undefined) {
    throw new RestoreError(
      'TARGET_EXISTS',
      `There is a database at ${target}: give --force to replace it (it is kept as ${basename(target)}.before-restore-<time>).`,
    );
  }
  // As a server start would, so a restore onto a new machine needs no mkdir; removed again if nothing is restored,
  // with every folder above it that was made for it (mkdir answers the first one it made).
  let firstMade: string | undefined;
  try {
    firstMade = await mkdir(folder, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new RestoreError('TARGET_UNWRITABLE', `Cannot create ${folder} (${describeCause(err)}).`, { cause: err });
  }
  // Beside the file it replaces, so that the rename into place stays on one file system.
  const temp = restoreTempName(target);
  let installed = false;
  try {
    await copyNew(from, source, temp, [database, target], warnings);
    const { schemaVersion, tables, kekCheck } = check(temp, source, (await stat(temp)).size);
    try {
      await syncFile(temp);
    } catch (err) {
      throw new RestoreError('TARGET_UNWRITABLE', `Cannot flush ${temp} to disk (${describeCause(err)}).`, {
        cause: err,
      });
    }
    const previous = await install(temp, target, opts, warn);
    installed = true;
    try {
      await syncFolder(dirname(target));
    } catch (err) {
      // The new database is in place and every process opening it reads it: the restore is done, its last step not
      // yet durable. A crash could undo the rename: the old database back, or, where there was none, no database.
      const lost = previous === null ? 'lose the restored database' : 'bring back the replaced database';
      warn(
        `${target} was restored, but its folder ${dirname(target)} could not be flushed to disk (${describeCause(err)}): ` +
          `a crash of the machine before it is may ${lost}; run sync, and check the disk`,
      );
    }
    // Each folder this restore created is named in its parent: flushed too, or a crash could lose the data directory.
    for (let dir = folder; firstMade !== undefined; dir = dirname(dir)) {
      try {
        await syncFolder(dirname(dir));
      } catch (err) {
        warn(
          `${target} was restored, but ${dirname(dir)}, holding the folder ${dir} made for it, could not be flushed ` +
            `to disk (${describeCause(err)}): a crash of the machine before it is may lose it; run sync`,
        );
      }
      if (dir === firstMade || dirname(dir) === dir) break;
    }
    const { size } = await stat(target);
    const kekFile = kekFilePath({ kekFile: config.kekFile, dataDir: config.dataDir, engine: 'sqlite' });
    const kek = await kekAgainst(kekFile, kekCheck);
    return { database, input: source, bytes: size, schemaVersion, tables, previous, kekFile, ...kek };
  } finally {
    if (!installed) {
      await Promise.all([temp, ...sqliteCompanions(temp)].map((f) => rm(f, { force: true })));
      if (firstMade !== undefined) await removeMadeFolders(folder, firstMade);
    }
  }
}

/**
 * The file `file` names after following every symbolic link (it need not exist: a dangling link names where it would
 * be); `file` itself when it is not a link.
 */
async function linkTarget(file: string): Promise<string> {
  // As the kernel does, giving up after 40 links (a loop). A relative target is taken from the folder the link lies
  // in, its own links resolved: `..` in it leaves that folder, not the name it was reached by (a linked data directory).
  for (let hops = 0; hops < 40; hops += 1) {
    const st = await lstatOrUndefined(file);
    if (st === undefined || !st.isSymbolicLink()) return file;
    file = resolve(dirname(await inRealFolder(file)), await readlink(file));
  }
  throw new RestoreError('TARGET_UNWRITABLE', `Too many symbolic links at ${file}.`);
}

/** Removes `folder` and the folders above it up to `firstMade`, while each is empty (as this restore made them). */
async function removeMadeFolders(folder: string, firstMade: string): Promise<void> {
  for (let dir = folder; ; dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch {
      return;
    }
    if (dir === firstMade || dirname(dir) === dir) return;
  }
}

/**
 * Opens the input, refusing (before anything is written) one that is not a regular file, does not begin with SQLite's
 * header, is the live database or beside it, or has another process's commits beside it.
 */
async function openInput(source: string, database: string): Promise<FileHandle> {
  // As named, and the file a linked vouch.db names (SQLite keeps the companions beside it).
  const linked = await realpath(database).catch(() => database);
  const live = [...new Set([database, linked])].flatMap((db) => [db, ...sqliteCompanions(db)]);
  const realLive = await Promise.all(live.map(inRealFolder));
  const same = `The input ${source} is the database being restored (or its -wal, -journal or -shm file): name a backup.`;
  if (live.includes(source) || realLive.includes(await inRealFolder(source))) {
    throw new RestoreError('INPUT_INVALID', same);
  }
  let from: FileHandle;
  try {
    // Non-blocking: opening a named pipe would otherwise wait for a writer; it is refused below as not a file.
    from = await open(source, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new RestoreError('INPUT_INVALID', `Cannot read the input ${source} (${describeCause(err)}).`, { cause: err });
  }
  try {
    await checkOpenInput(from, source, live, same);
    return from;
  } catch (err) {
    await from.close();
    throw err;
  }
}

/** The checks of {@link openInput} on the open file. */
async function checkOpenInput(from: FileHandle, source: string, live: string[], same: string): Promise<void> {
  const st = await from.stat();
  if (!st.isFile()) throw new RestoreError('INPUT_INVALID', `The input ${source} is not a file.`);
  // Before the whole input is copied into the data directory: what does not even hold SQLite's 100-byte header (an
  // empty file, a pg_dump file, an archive) is no database. Whatever does is checked on the copy, all of it, as the
  // input may change meanwhile.
  const head = Buffer.alloc(100);
  const { bytesRead } = await from.read(head, 0, head.length, 0);
  if (bytesRead < head.length || !head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    throw new RestoreError(
      'INPUT_INVALID',
      `The input ${source} is not a SQLite database (it does not begin with SQLite's header); nothing was changed.`,
    );
  }
  // A hard link to the database (or a path through a bind mount) names the same file under another name.
  for (const file of live) {
    const other = await stat(file).catch(() => undefined);
    if (other !== undefined && other.dev === st.dev && other.ino === st.ino)
      throw new RestoreError('INPUT_INVALID', same);
  }
  // Beside the input as named and beside the file it finally names: SQLite keeps a linked database's -wal and -journal
  // by the latter.
  const real = await realpath(source).catch(() => source);
  const besides = [...new Set([source, real])];
  const wals = await Promise.all(besides.map((file) => lstatOrUndefined(`${file}-wal`)));
  if (wals.some((wal) => wal !== undefined && wal.size > 0)) {
    throw new RestoreError(
      'INPUT_INVALID',
      `The input ${source} has a -wal file beside it: it is in use, or a copy whose latest commits are in that file. ` +
        'Restore a copy taken with vouch backup.',
    );
  }
  for (const file of besides) {
    if (await hotJournal(`${file}-journal`)) {
      throw new RestoreError(
        'INPUT_INVALID',
        `The input ${source} has a -journal file beside it: a transaction on it was interrupted (or is being ` +
          'written), and the file alone holds part of it. Restore a copy taken with vouch backup.',
      );
    }
  }
}

/**
 * Whether `journal` is a rollback journal SQLite would play back: not empty, and its header not zeroed (a journal
 * kept with journal_mode = PERSIST after its transaction ended starts with zeros).
 */
async function hotJournal(journal: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(journal, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    return bytesRead > 0 && head.subarray(0, bytesRead).some((b) => b !== 0);
  } finally {
    await handle.close();
  }
}

/** Copies the input (`from`, left open) into the new file `temp` (mode 0600, held to a key file's folder rule). */
async function copyNew(
  from: FileHandle,
  source: string,
  temp: string,
  names: string[],
  warnings: KeyFileWarnings,
): Promise<void> {
  let out: FileHandle;
  try {
    out = await open(temp, 'wx', 0o600);
  } catch (err) {
    throw new RestoreError('TARGET_UNWRITABLE', `Cannot write in ${dirname(temp)} (${describeCause(err)}).`, {
      cause: err,
    });
  }
  try {
    // Whatever the umask: the database holds sealed keys and the audit trail.
    await out.chmod(0o600);
    const stats = await out.stat();
    const files = [...names, ...(await Promise.all(names.map(inRealFolder)))];
    await checkKeyFileModes(
      files.map((file) => ({ file, setting: 'the restored database', stats })),
      warnings,
    );
    try {
      await copyAll(from, out);
    } catch (err) {
      throw new RestoreError('TARGET_UNWRITABLE', `Cannot copy ${source} to ${temp} (${describeCause(err)}).`, {
        cause: err,
      });
    }
  } finally {
    await out.close();
  }
}

/**
 * The copy's schema version and row counts, after SQLite's integrity check of it: whole (`bytes` long, at least the
 * pages its header counts), a Vouch database (migration table, the KEK check row a server writes at its first start)
 * whose applied migrations are the first ones this version knows, in order, so that a server start can bring it up to
 * date.
 */
function check(
  temp: string,
  source: string,
  bytes: number,
): { schemaVersion: string; tables: Record<string, number>; kekCheck: string } {
  const refuse = (why: string, cause?: unknown): RestoreError =>
    new RestoreError('INPUT_INVALID', `The input ${source} ${why}; nothing was changed.`, { cause });
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(temp, { fileMustExist: true });
  } catch (err) {
    throw refuse(`cannot be opened (${describeCause(err)})`, err);
  }
  try {
    let result: unknown;
    try {
      // The full check, not quick_check: it also finds indexes that disagree with their tables; a restore is rare.
      result = raw.pragma('integrity_check', { simple: true });
    } catch (err) {
      throw refuse(`is not a SQLite database or is damaged (${describeCause(err)})`, err);
    }
    if (result !== 'ok')
      throw refuse(
        `is damaged (SQLite's integrity check: ${String(result).replace(/\s+/g, ' ').trim().slice(0, 200)})`,
      );
    // SQLite reads the missing end of a last page as zeros, which the integrity check may pass while rows have changed.
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    const pages = raw.pragma('page_count', { simple: true }) as number;
    if (bytes < pages * pageSize) {
      throw refuse(
        `is truncated (${bytes} bytes, where its ${pages} pages of ${pageSize} bytes take ${pages * pageSize}): ` +
          'a copy cut short; restore a whole one',
      );
    }
    const has = raw
      .prepare("select name from sqlite_master where type = 'table' and name in (?, 'meta')")
      .all(MIGRATION_TABLE);
    const kekRow =
      has.length === 2 ? raw.prepare('select value from meta where key = ?').get(CHECK_META_KEY) : undefined;
    if (kekRow === undefined) throw refuse('is a SQLite database but not a Vouch database');
    const applied = (raw.prepare(`select name from ${MIGRATION_TABLE} order by name`).all() as { name: string }[]).map(
      (r) => r.name,
    );
    const known = MIGRATIONS.map(([name]) => name);
    const unknown = applied.filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      throw refuse(
        `was migrated by a newer version of Vouch (it has migration ${unknown.join(', ')}; this version knows up to ` +
          `${known.at(-1) ?? 'none'}): restore it with that version or a later one`,
      );
    }
    if (applied.some((name, i) => name !== known[i])) {
      throw refuse(`has migrations this version cannot continue from (${applied.join(', ')})`);
    }
    const tables: Record<string, number> = {};
    for (const table of BACKUP_COUNTED_TABLES) {
      const exists = raw.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(table);
      // A table a later migration adds is empty once the server has migrated the restored database.
      tables[table] =
        exists === undefined ? 0 : (raw.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    }
    return { schemaVersion: applied.at(-1) ?? 'none', tables, kekCheck: (kekRow as { value: string }).value };
  } catch (err) {
    if (err instanceof RestoreError) throw err;
    throw refuse(`cannot be read (${describeCause(err)})`, err);
  } finally {
    raw.close();
  }
}

/**
 * Puts `temp` in place of `database`. With a database there: takes SQLite's exclusive lock on it (it fails at once
 * while any process has the file open), brings its -wal file into it, copies it to the kept file, removes its -wal,
 * -journal and -shm files and then renames `temp` over it, all under the lock. Before the lock goes, the first bytes
 * of the replaced file (no longer in the folder) are cleared: a server that opened it just before the rename and
 * waited for the lock then fails with SQLITE_NOTADB, where it would otherwise read the replaced database as if it were
 * current (SQLite refuses only its writes, SQLITE_READONLY_DBMOVED); a replaced file still named elsewhere (another
 * hard link) is left whole. `database` is never a symbolic link: the caller passes the file one names. Without a
 * database: {@link installInEmptyPlace}. Returns the kept file.
 */
async function install(
  temp: string,
  database: string,
  opts: { force: boolean; now: Date; onLocked?: () => Promise<void> },
  warn: (message: string) => void,
): Promise<string | null> {
  if ((await lstatOrUndefined(database)) === undefined) {
    await installInEmptyPlace(temp, database, opts, warn);
    return null;
  }
  if (!opts.force)
    throw new RestoreError('TARGET_EXISTS', `There is a database at ${database}: give --force to replace it.`);
  const lock = lockExclusively(database);
  // Closing any descriptor of a file drops every POSIX lock this process holds on it, SQLite's included: the one
  // handle opened here on the database is closed only after the connection holding the lock.
  let old: FileHandle | undefined;
  try {
    old = await open(database, 'r+');
    // Tests only: another process's move while the lock is held.
    await opts.onLocked?.();
    const kept = `${database}.before-restore-${stamp(opts.now)}`;
    try {
      // TRUNCATE: every commit moved into the file, the -wal file emptied; alone, nothing else can be reading.
      const [row] = lock.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (row !== undefined && row.busy !== 0) throw new Error('the checkpoint could not finish');
    } catch (err) {
      throw new RestoreError(
        'RESTORE_FAILED',
        `Cannot bring ${database}-wal into ${database} (${describeCause(err)}).`,
        {
          cause: err,
        },
      );
    }
    await copyKept(old, database, kept);
    try {
      await removeCompanions(database);
      try {
        await syncFolder(dirname(database));
        await rename(temp, database);
      } catch (err) {
        throw new RestoreError('TARGET_UNWRITABLE', `Cannot write ${database} (${describeCause(err)})`, { cause: err });
      }
    } catch (err) {
      // Nothing was restored: the database is still in place (its -wal file, if removed, was empty since the
      // checkpoint), so its copy would only look like the trace of a restore that happened.
      const left = await rm(kept, { force: true }).then(
        () => 'the database is as it was',
        (rmErr: unknown) => `the copy made of it is left at ${kept} (${describeCause(rmErr)}): remove it`,
      );
      const { code, message } = err as RestoreError;
      throw new RestoreError(code, `${message.replace(/\.$/, '')}; nothing was restored, ${left}.`, { cause: err });
    }
    try {
      // Only a file no name reaches any more: the target of a symbolic link vouch.db was, or one with another hard
      // link, is still someone's database, and clearing it would destroy it where it stands.
      if ((await old.stat()).nlink === 0) await old.write(Buffer.alloc(100), 0, 100, 0);
    } catch {
      // The restore is done; this only guards against a process that opened the old file in the last moment.
    }
    return kept;
  } catch (err) {
    if (err instanceof RestoreError) throw err;
    throw new RestoreError('RESTORE_FAILED', `Cannot replace ${database} (${describeCause(err)}).`, { cause: err });
  } finally {
    lock.close();
    await old?.close();
  }
}

/**
 * Puts `temp` where no database is. Commits left beside that place (a non-empty -wal file, a hot -journal: a database
 * moved away without them, or one being created now) are refused, as they are someone's data. Then, holding SQLite's
 * exclusive lock on `temp`, it is linked into place (a database that appeared meanwhile refuses it, nothing changed)
 * and only then are the leftover -wal, -journal and -shm files removed: a process that opens the new database before
 * that waits for the lock, and none can have made them its own. A crash in between leaves the new database beside
 * files SQLite ignores or rebuilds (an empty -wal, a -shm, a journal that is not hot).
 */
async function installInEmptyPlace(
  temp: string,
  database: string,
  opts: { onLocked?: () => Promise<void> },
  warn: (message: string) => void,
): Promise<void> {
  const wal = await lstatOrUndefined(`${database}-wal`);
  for (const [file, commits] of [
    [`${database}-wal`, wal !== undefined && wal.size > 0],
    [`${database}-journal`, await hotJournal(`${database}-journal`)],
  ] as const) {
    if (commits) {
      throw new RestoreError(
        'TARGET_EXISTS',
        `There is no database at ${database} but ${file} beside it holds commits of one (moved away without it, or ` +
          `being created now): move it away with that database, or remove it, and restore again; nothing was changed.`,
      );
    }
  }
  const lock = lockExclusively(temp);
  try {
    // Tests only: another process creating the database while the lock is held.
    await opts.onLocked?.();
    try {
      await linkOrRename(temp, database, warn);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'EEXIST') {
        throw new RestoreError(
          'TARGET_EXISTS',
          `A database appeared at ${database} during the restore; nothing was changed.`,
        );
      }
      throw new RestoreError('TARGET_UNWRITABLE', `Cannot write ${database} (${describeCause(err)}).`, { cause: err });
    }
    for (const file of sqliteCompanions(database)) {
      try {
        await rm(file, { force: true });
      } catch (err) {
        // The restore is done; what is left is a file SQLite ignores or rebuilds (checked above).
        warn(`${database} was restored, but ${file} beside it could not be removed (${describeCause(err)}): remove it`);
      }
    }
  } finally {
    lock.close();
    // SQLite leaves the -wal file it opened for the lock when the name it was opened by is gone (a WAL-mode backup):
    // nothing was written to it.
    await Promise.all(sqliteCompanions(temp).map((f) => rm(f, { force: true }).catch(() => undefined)));
  }
}

/**
 * Moves `temp` to the absent `file`: a hard link, which fails if `file` has appeared since it was checked where a
 * rename would replace it. Filesystems without hard links fall back to the check and a rename.
 */
async function linkOrRename(temp: string, file: string, warn: (message: string) => void): Promise<void> {
  let linked = false;
  try {
    await link(temp, file);
    linked = true;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
  }
  if (linked) {
    try {
      await rm(temp, { force: true });
    } catch (err) {
      // The database is in place: the restore happened, with a second name for it left behind.
      warn(
        `${file} was restored, but the temporary file ${temp}, another name of it, could not be removed ` +
          `(${describeCause(err)}): remove it`,
      );
    }
    return;
  }
  if ((await lstatOrUndefined(file)) !== undefined) throw Object.assign(new Error('file exists'), { code: 'EEXIST' });
  await rename(temp, file);
}

/** A connection holding SQLite's exclusive lock on `database`; `TARGET_IN_USE` when another process has it open. */
function lockExclusively(database: string): BetterSqlite3.Database {
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(database, { fileMustExist: true });
  } catch (err) {
    throw new RestoreError('RESTORE_FAILED', `Cannot open ${database} (${describeCause(err)}).`, { cause: err });
  }
  try {
    raw.pragma('busy_timeout = 0');
    // Kept until the connection closes, and in WAL mode without the shared-memory file: the lock on the file itself.
    raw.pragma('locking_mode = EXCLUSIVE');
    raw.exec('begin exclusive');
    raw.exec('commit');
    return raw;
  } catch (err) {
    raw.close();
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new RestoreError(
        'TARGET_IN_USE',
        `The database ${database} is in use (a server, or another process, has it open): stop every server on it and try again; nothing was changed.`,
        { cause: err },
      );
    }
    throw new RestoreError(
      'RESTORE_FAILED',
      `Cannot lock the database at ${database} (${describeCause(err)}); if it is damaged, stop every server and move it aside by hand. Nothing was changed.`,
      { cause: err },
    );
  }
}

/**
 * Copies the database being replaced (`from`, open on `database`) to `kept` (a new file, mode 0600), flushed to
 * disk: written under a temporary name beside it ({@link restoreKeptTempName}, which a later restore finds if this
 * one is killed meanwhile) and renamed to `kept` once whole, so that a file named `kept` is never part of the
 * database. The rename is flushed with the folder before the database is replaced (install's flush before its
 * rename).
 */
async function copyKept(from: FileHandle, database: string, kept: string): Promise<void> {
  const refuse = (err: unknown): RestoreError =>
    new RestoreError('TARGET_UNWRITABLE', `Cannot keep the replaced database as ${kept} (${describeCause(err)}).`, {
      cause: err,
    });
  const temp = restoreKeptTempName(database);
  let out: FileHandle;
  try {
    out = await open(temp, 'wx', 0o600);
  } catch (err) {
    throw refuse(err);
  }
  try {
    try {
      await out.chmod(0o600);
      await copyAll(from, out);
      await out.sync();
    } finally {
      await out.close();
    }
    // A kept copy of the same name (two restores within one millisecond) is not replaced.
    if ((await lstatOrUndefined(kept)) !== undefined) throw Object.assign(new Error('file exists'), { code: 'EEXIST' });
    await rename(temp, kept);
  } catch (err) {
    await rm(temp, { force: true });
    throw refuse(err);
  }
}

/** Copies everything `from` holds to `to`, from the start of each (both left open). */
async function copyAll(from: FileHandle, to: FileHandle): Promise<void> {
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (let position = 0; ;) {
    const { bytesRead } = await from.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return;
    for (let done = 0; done < bytesRead;) {
      done += (await to.write(buffer, done, bytesRead - done, position + done)).bytesWritten;
    }
    position += bytesRead;
  }
}

/** Removes the -wal file first: a leftover -shm file is rebuilt by the next opener, a -wal file would be replayed. */
async function removeCompanions(database: string): Promise<void> {
  for (const file of sqliteCompanions(database)) {
    try {
      await rm(file, { force: true });
    } catch (err) {
      throw new RestoreError('TARGET_UNWRITABLE', `Cannot remove ${file} (${describeCause(err)}).`, { cause: err });
    }
  }
}
