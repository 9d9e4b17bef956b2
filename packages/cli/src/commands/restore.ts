import { lstat, realpath } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Config, SqliteRestore } from '@vouch/server';
import type { Io } from '../output.ts';
import { print } from '../output.ts';
import { CliError, EXIT, withCode } from '../exit.ts';
import { keyFileWarnings, printableUrl, shellWord, sqliteCommandConfig } from './backup.ts';

/**
 * The pg_restore command that restores `input` (a pg_dump custom-format file, as `vouch backup` prints the command
 * for) into the configured database. Without `--schema`: the dump holds only the configured schema already, and
 * with it pg_restore skips the dump's CREATE SCHEMA, so a restore where the schema is gone (a fresh database, the
 * schema dropped) failed on its first table. `--clean` lets it replace the schema as it is, in one transaction.
 */
export function pgRestoreCommand(config: Pick<Config, 'databaseUrl' | 'databaseSchema'>, input: string): string {
  // The file is a word of its own: one starting with `-` would be read as options.
  const file = input.startsWith('-') ? `./${input}` : input;
  return (
    'pg_restore --clean --if-exists --no-owner --single-transaction ' +
    `--dbname=${printableUrl(config)} ${shellWord(file)}`
  );
}

/**
 * Where a backup older than the database it replaces goes. `--clean` drops only what the dump holds: a table of a
 * newer version is left, while the migration table goes back, so the next start would create it again and fail.
 * With a schema, pg_restore then cannot drop the schema and changes nothing; without one the dump is the whole
 * database, and a newer table may be left beside it.
 */
function olderBackupAdvice(config: Pick<Config, 'databaseSchema'>): string {
  return config.databaseSchema === undefined
    ? 'a backup older than the database it replaces goes into a fresh database, as --clean leaves what the backup lacks'
    : 'a backup older than the schema it replaces goes into an empty one: when pg_restore refuses as the schema ' +
        `holds what the backup lacks, DROP SCHEMA ${config.databaseSchema} CASCADE first`;
}

/** What the operator must still see to: the KEK, and the keys a restore of an older backup leaves exposed. */
function kekAdvice(done: SqliteRestore): string {
  switch (done.kek) {
    case 'matches':
      return `The KEK in ${done.kekFile} is the one its server keys are sealed under.`;
    case 'differs':
      return (
        `The KEK in ${done.kekFile} is NOT the one its server keys are sealed under: put the KEK of the deployment ` +
        'the backup came from there, or the server stops with KEK_MISMATCH.'
      );
    case 'missing':
      return (
        `There is no KEK at ${done.kekFile}: put the KEK of the deployment the backup came from there before ` +
        'starting the server.'
      );
    case 'unreadable':
      return (
        `The KEK file ${done.kekFile} is there but cannot be used (${(done.kekProblem ?? 'unreadable').replace(/\.$/, '')}): ` +
        'put the KEK of the deployment the backup came from there before starting the server, or it stops with ' +
        'KEK_INVALID.'
      );
  }
}

/** The file `database` names when it is a symbolic link (the one `vouch restore` replaced), else undefined. */
async function linkedFile(database: string): Promise<string | undefined> {
  const st = await lstat(database).catch(() => undefined);
  return st?.isSymbolicLink() === true ? await realpath(database).catch(() => undefined) : undefined;
}

/** The human form of what `vouch restore` did; `linked`: the file a linked vouch.db names. */
function describe(done: SqliteRestore, linked: string | undefined): string {
  const width = Math.max(...Object.keys(done.tables).map((t) => t.length));
  const rows = Object.entries(done.tables).map(([table, n]) => `  ${table.padEnd(width)}  ${n}`);
  return [
    `restored ${done.database} (${done.bytes} bytes) from ${done.input}`,
    ...(linked === undefined
      ? []
      : [
          `${done.database} is a symbolic link: the file it names, ${linked}, was restored (the link is left as it is).`,
        ]),
    `schema ${done.schemaVersion}; rows:`,
    ...rows,
    done.previous === null
      ? 'There was no database there before.'
      : `The database it replaced is kept as ${done.previous}.`,
    kekAdvice(done),
    'If the backup is older than the database it replaces, rotate the token and capability keys once a server is up: ' +
      'vouch keys rotate --compromised, and vouch keys rotate --purpose capability --compromised (docs/operations.md, ' +
      '"Backup and restore").',
  ].join('\n');
}

/** `vouch restore`: puts a backup in place of the embedded SQLite database, with every server stopped. */
export function registerRestore(program: Command, io: Io): void {
  program
    .command('restore')
    .description(
      'Replace the SQLite database with a backup (every server stopped); PostgreSQL is restored with pg_restore.',
    )
    .requiredOption('--input <file>', 'the backup to restore (written by vouch backup)')
    .option('--force', 'replace an existing database (kept as vouch.db.before-restore-<time>)')
    .option('--data-dir <dir>', 'data directory (overrides VOUCH_DATA_DIR)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
The database is found as the server finds it (VOUCH_DATABASE_URL, VOUCH_DATA_DIR). The backup is checked first (SQLite's
integrity check, a Vouch database, no migration newer than this version), then copied beside the database, flushed to
disk and renamed into place; the database's -wal, -journal and -shm files are removed first. A vouch.db that is a
symbolic link is left in place: the file it names is restored, and the copy, the kept database and the removed files
are beside that file. While any process has the
database open it is refused. An existing database is replaced only with --force, and kept as
<data dir>/vouch.db.before-restore-<time>. The KEK (VOUCH_KEK_FILE, or <data dir>/kek.key) must be the one the backup
was taken under. With VOUCH_DATABASE_URL set, prints the pg_restore command to run instead and exits 2.

Examples:
  $ vouch restore --input /backups/vouch-2026-01-31.db
  $ vouch restore --data-dir /var/lib/vouch --input /backups/vouch.db --force --json`,
    )
    .action(async (opts: { input: string; force?: boolean; dataDir?: string; json?: boolean }) => {
      if (opts.input.trim() === '') throw new CliError('--input must not be empty.', EXIT.USAGE);
      const config = await sqliteCommandConfig(
        opts,
        (config) =>
          'PostgreSQL is restored with pg_restore, not vouch restore (stop every server first; the password from ' +
          `PGPASSWORD or ~/.pgpass; a plain SQL dump goes through psql instead; ${olderBackupAdvice(config)}): ` +
          pgRestoreCommand(config, opts.input),
      );
      const { ConfigError, RestoreError, restoreSqlite } = await import('@vouch/server');
      let done: SqliteRestore;
      try {
        const at = { force: opts.force === true, now: new Date() };
        done = await restoreSqlite(config, opts.input, at, keyFileWarnings(io));
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(withCode(err.message, err.code), EXIT.USAGE);
        if (err instanceof RestoreError) throw new CliError(withCode(err.message, err.code), EXIT.USAGE);
        throw err;
      }
      const linked = opts.json === true ? undefined : await linkedFile(done.database);
      print(io, opts.json === true, done, () => describe(done, linked));
    });
}
