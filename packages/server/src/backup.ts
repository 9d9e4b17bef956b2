// `vouch backup`: a consistent copy of the embedded SQLite database, taken while servers may be writing to it. A copy
// of vouch.db alone can be torn or stale (the -wal file holds recent commits); VACUUM INTO reads one snapshot in a
// single read transaction, which in WAL mode never blocks the writers, and writes it out whole.
import { constants } from 'node:fs';
import { access, link, open, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Config } from './config.ts';
import { checkKeyFileModes } from './key-file-modes.ts';
import type { KeyFileWarnings } from './key-file-modes.ts';
import { assertVouchDatabase, kekFilePath, StorageError } from './storage/index.ts';
import { CHECK_META_KEY, KEK_FILE_NAME } from './storage/kek.ts';
import { kekAgainst } from './kek-report.ts';
import type { KekReport } from './kek-report.ts';
import { ADMIN_KEY_FILE_NAME } from './admin-key.ts';
import { cannotOpenSqlite, describeCause } from './storage/lib/error-cause.ts';
import { MIGRATION_TABLE } from './storage/lib/migrate.ts';
import { SQLITE_FILE, sqliteCompanions } from './storage/lib/sqlite.ts';
import { inRealFolder, lstatOrUndefined, namesFolder } from './files/paths.ts';
import { syncFile, syncFolder } from './files/sync.ts';
import { reportRestoreLeftovers } from './restore-leftovers.ts';
import { backupTempName, clearBackupLeftovers } from './backup-leftovers.ts';

/** The tables whose row counts a backup reports: enough to tell at a glance that it holds the deployment. */
export const BACKUP_COUNTED_TABLES = [
  'agents',
  'owners',
  'server_keys',
  'issued_tokens',
  'token_revocations',
  'capability_tokens',
  'signatures',
  'registry_documents',
  'audit_log',
] as const;

/** What `vouch backup` reports. */
export interface SqliteBackup {
  /** The backup written (absolute). */
  file: string;
  bytes: number;
  /** The database it was taken from. */
  database: string;
  /** The last migration applied to it (`0017_signature_signer_key`). */
  schemaVersion: string;
  /** Row counts of {@link BACKUP_COUNTED_TABLES} in the backup. */
  tables: Record<string, number>;
  /** The KEK file its server keys are sealed under: not in the backup, and needed to restore it. */
  kekFile: string;
  /**
   * Whether `kekFile` holds that key (`differs`: it is another key, which cannot open the backup; `missing`: there is
   * no file; `unreadable`: there is one that cannot be read or holds no key, `kekProblem` saying why).
   */
  kek: KekReport['kek'];
  kekProblem?: string;
}

/**
 * Why a backup was not written (nothing is left behind): `OUTPUT_EXISTS` (the output exists and `force` was not
 * given), `OUTPUT_INVALID` (the output is the database itself, one of the deployment's key files, not a file, or named as a
 * folder: ending with a slash, `.` or `..`),
 * `OUTPUT_UNWRITABLE` (the folder is missing or not writable, the disk full; or, the output whole and in place, its
 * folder could not be flushed to disk, which the message says), `BACKUP_FAILED` (the snapshot failed or does not
 * check out).
 */
export class BackupError extends Error {
  readonly code: 'OUTPUT_EXISTS' | 'OUTPUT_INVALID' | 'OUTPUT_UNWRITABLE' | 'BACKUP_FAILED';
  constructor(code: BackupError['code'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BackupError';
    this.code = code;
  }
}

/**
 * Writes a consistent snapshot of the deployment's SQLite database to `output`, servers running or not: into a
 * temporary file (mode 0600) in the output's folder, checked (`quick_check`), flushed to disk, then moved into place,
 * so `output` is either absent or whole. An existing `output` is a `BackupError` unless `force`; a folder above it
 * that any user may write is a `ConfigError` (the backup holds the sealed server keys: see checkKeyFileModes), one
 * group members may write is told to `warnings`. Settings naming no Vouch database are `StorageError`
 * `DATABASE_UNAVAILABLE`, and nothing is created. PostgreSQL is `INVALID_ARGUMENT`: pg_dump backs it up.
 *
 * @example
 * const { file, bytes } = await backupSqlite(loadConfig(), '/backups/vouch.db', { force: false }, warnings);
 */
export async function backupSqlite(
  config: Config,
  output: string,
  opts: { force: boolean },
  warnings: KeyFileWarnings,
): Promise<SqliteBackup> {
  if (config.databaseUrl !== undefined) {
    throw new StorageError('INVALID_ARGUMENT', 'A PostgreSQL database is backed up with pg_dump.');
  }
  // resolve() drops a trailing slash: `/backups/new/` would otherwise become a file named `new`.
  if (namesFolder(output)) {
    throw new BackupError(
      'OUTPUT_INVALID',
      `The output ${output} names a folder: name the backup file in it (such as ${join(resolve(output), 'vouch.db')}).`,
    );
  }
  const file = resolve(output);
  const database = resolve(join(config.dataDir, SQLITE_FILE));
  // Checked before anything is opened or written, so a refusal leaves everything as it was.
  const realFile = await inRealFolder(file);
  // As named, with its folder's links resolved, and the file a linked vouch.db names (SQLite keeps the companions there).
  const databases = new Set([database, await inRealFolder(database), await realpath(database).catch(() => database)]);
  const live = [...databases].flatMap((db) => [db, ...sqliteCompanions(db)]);
  if (live.includes(file) || live.includes(realFile)) {
    throw new BackupError('OUTPUT_INVALID', `The output ${file} is the database itself: name another file.`);
  }
  for (const key of await keyFilesOf(config)) {
    if (key.names.includes(file) || key.names.includes(realFile)) {
      throw new BackupError(
        'OUTPUT_INVALID',
        `The output ${file} is the deployment's ${key.what}${key.file === file ? '' : ` (${key.file})`}: a backup ` +
          'never replaces a key file; name another file.',
      );
    }
  }
  const existing = await lstatOrUndefined(file);
  if (existing !== undefined) {
    // Before --force is suggested: it replaces a file only.
    if (!existing.isFile()) {
      throw new BackupError('OUTPUT_INVALID', `The output ${file} exists and is not a file: name another file.`);
    }
    if (!opts.force) {
      throw new BackupError(
        'OUTPUT_EXISTS',
        `The output ${file} exists: name another file, or give --force to replace it.`,
      );
    }
  }
  // A missing file is refused here: opening it would create an empty database.
  try {
    await assertVouchDatabase({ dataDir: config.dataDir });
  } catch (err) {
    throw await withReaderHint(err, database);
  }
  await reportRestoreLeftovers(database, (leftover, message) => warnings.warn({ file: leftover, mode: '' }, message));

  // What a backup of this output killed before it was done left beside it, which nothing else would remove.
  await clearBackupLeftovers(file, (leftover, message) => warnings.warn({ file: leftover, mode: '' }, message));
  const temp = backupTempName(file);
  let handle;
  try {
    handle = await open(temp, 'wx', 0o600);
  } catch (err) {
    throw new BackupError('OUTPUT_UNWRITABLE', `Cannot write in ${dirname(file)} (${describeCause(err)}).`, {
      cause: err,
    });
  }
  try {
    try {
      // Whatever the umask: the backup holds sealed keys and the audit trail.
      await handle.chmod(0o600);
      // The output's folders, as named and as they finally resolve, held to a key file's rule.
      const stats = await handle.stat();
      await checkKeyFileModes(
        [
          { file, setting: 'the backup output', stats },
          { file: realFile, setting: 'the backup output', stats },
        ],
        warnings,
      );
    } finally {
      await handle.close();
    }
    snapshot(database, temp);
    const { schemaVersion, tables, kekCheck } = inspect(temp);
    // Flushed before the rename makes it the backup: a crash must not leave a named backup with holes.
    try {
      await syncFile(temp);
    } catch (err) {
      throw new BackupError('OUTPUT_UNWRITABLE', `Cannot flush ${temp} to disk (${describeCause(err)}).`, {
        cause: err,
      });
    }
    await install(temp, file, opts.force);
    try {
      await syncFolder(dirname(file));
    } catch (err) {
      // The file is whole (flushed before the rename); its name is not yet on disk.
      throw new BackupError(
        'OUTPUT_UNWRITABLE',
        `${file} was written, but its folder ${dirname(file)} could not be flushed to disk (${describeCause(err)}): ` +
          'a crash of the machine before it is may lose the backup; run sync, check the disk, and back up again.',
        { cause: err },
      );
    }
    const { size } = await stat(file);
    const kekFile = kekFileOf(config);
    const kek = await kekAgainst(kekFile, kekCheck);
    return { file, bytes: size, database, schemaVersion, tables, kekFile, ...kek };
  } finally {
    await rm(temp, { force: true });
  }
}

/** Whether this process may access `file` as `mode` says (F_OK, R_OK, W_OK). */
async function mayAccess(file: string, mode: number): Promise<boolean> {
  try {
    await access(file, mode);
    return true;
  } catch {
    return false;
  }
}

/**
 * `err` (the database could not be opened) saying why when this user may read the database but not its folder:
 * SQLite reads a WAL database through its -shm file, which it must create if no server has the database open (and so
 * needs to write the folder), or else read. Any other error is answered as it is.
 */
async function withReaderHint(err: unknown, database: string): Promise<unknown> {
  const cause = (err as { cause?: { code?: unknown } }).cause?.code;
  if (!(err instanceof StorageError) || (cause !== 'SQLITE_READONLY_DIRECTORY' && cause !== 'SQLITE_CANTOPEN')) {
    return err;
  }
  const shm = `${database}-shm`;
  let hint: string;
  if (await mayAccess(shm, constants.F_OK)) {
    if (await mayAccess(shm, constants.R_OK)) return err;
    hint = `this user cannot read ${shm}, which SQLite reads beside the database`;
  } else {
    if (await mayAccess(dirname(database), constants.W_OK)) return err;
    hint = `SQLite must create ${shm} to read it, and this user cannot write ${dirname(database)}`;
  }
  return new StorageError(
    err.code,
    `${err.message.replace(/\.$/, '')}: ${hint}; run vouch backup as the user the server runs as.`,
    { cause: err.cause },
  );
}

/**
 * The key files the deployment reads, which a backup must never replace (the KEK above all: without it the sealed
 * server keys in the database are lost), each under every name it goes by: as named, with its folder's links resolved,
 * and the file it finally names. `<data dir>/kek.key` and `admin.key` are counted even when a setting names another
 * key: they are where the server keeps its keys.
 */
async function keyFilesOf(config: Config): Promise<{ what: string; file: string; names: string[] }[]> {
  const files = [
    { what: 'KEK file', file: resolve(kekFileOf(config)) },
    { what: 'KEK file', file: resolve(join(config.dataDir, KEK_FILE_NAME)) },
    { what: 'admin key file', file: resolve(join(config.dataDir, ADMIN_KEY_FILE_NAME)) },
    ...(config.registry.rootKeyFile === undefined
      ? []
      : [{ what: 'registry root key file', file: resolve(config.registry.rootKeyFile) }]),
  ];
  return Promise.all(
    files.map(async ({ what, file }) => ({
      what,
      file,
      names: [file, await inRealFolder(file), await realpath(file).catch(() => file)],
    })),
  );
}

function kekFileOf(config: Config): string {
  return kekFilePath({ kekFile: config.kekFile, dataDir: config.dataDir, engine: 'sqlite' });
}

/** `VACUUM INTO` the empty file `temp`: one read transaction's snapshot, including commits still in the -wal file. */
function snapshot(database: string, temp: string): void {
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(database, { fileMustExist: true });
  } catch (err) {
    throw cannotOpenSqlite(err, database);
  }
  try {
    // Beginning the read may meet a moment of another process's checkpoint; waiting a little is enough.
    raw.pragma('busy_timeout = 5000');
    raw.prepare('vacuum into ?').run(temp);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const unwritable = code === 'SQLITE_CANTOPEN' || code === 'SQLITE_FULL' || code === 'SQLITE_IOERR';
    throw new BackupError(
      unwritable ? 'OUTPUT_UNWRITABLE' : 'BACKUP_FAILED',
      `Cannot copy the SQLite database at ${database} (${describeCause(err)}).`,
      { cause: err },
    );
  } finally {
    raw.close();
  }
}

/** The snapshot's schema version, row counts and KEK check value, after SQLite's quick check of it. */
function inspect(temp: string): { schemaVersion: string; tables: Record<string, number>; kekCheck: string } {
  const raw = new BetterSqlite3(temp, { readonly: true, fileMustExist: true });
  try {
    const check = raw.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError('BACKUP_FAILED', `The copy does not check out (${String(check)}).`);
    const last = raw.prepare(`select name from ${MIGRATION_TABLE} order by name desc limit 1`).get() as
      { name: string } | undefined;
    const tables: Record<string, number> = {};
    for (const table of BACKUP_COUNTED_TABLES) {
      const exists = raw.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(table);
      // A database an older version left (backed up before an upgrade) lacks the tables later migrations add.
      tables[table] =
        exists === undefined ? 0 : (raw.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    }
    const kekRow = raw.prepare('select value from meta where key = ?').get(CHECK_META_KEY) as
      { value: string } | undefined;
    // There before the copy (assertVouchDatabase), and never removed.
    if (kekRow === undefined) throw new BackupError('BACKUP_FAILED', 'The copy holds no KEK check value.');
    return { schemaVersion: last?.name ?? 'none', tables, kekCheck: kekRow.value };
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError('BACKUP_FAILED', `Cannot read the copy (${describeCause(err)}).`, { cause: err });
  } finally {
    raw.close();
  }
}

/**
 * Moves `temp` to `file`. Without `force`, a hard link: it fails if `file` has appeared since it was checked, where a
 * rename would replace it. Filesystems without hard links fall back to the check and a rename.
 */
async function install(temp: string, file: string, force: boolean): Promise<void> {
  try {
    if (force) {
      await rename(temp, file);
      return;
    }
    try {
      await link(temp, file);
      return;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'EEXIST') throw err;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    }
    if ((await lstatOrUndefined(file)) !== undefined) throw Object.assign(new Error('file exists'), { code: 'EEXIST' });
    await rename(temp, file);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'EEXIST') {
      throw new BackupError(
        'OUTPUT_EXISTS',
        `The output ${file} exists: name another file, or give --force to replace it.`,
      );
    }
    throw new BackupError('OUTPUT_UNWRITABLE', `Cannot write ${file} (${describeCause(err)}).`, { cause: err });
  }
}
