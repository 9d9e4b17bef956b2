import type { Command } from 'commander';
import type { Config, SqliteBackup } from '@vouch/server';
import type { Io } from '../output.ts';
import { print } from '../output.ts';
import { CliError, EXIT, withCode } from '../exit.ts';
import { envWithFlags, underFlag } from './serve.ts';

/** `value` as one shell word: as it is when nothing in it is special to a shell, else in single quotes. */
export function shellWord(value: string): string {
  return /^[\w./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The configured PostgreSQL URL fit to print in a command, quoted for a shell: without its password (pg_dump and
 * pg_restore take it from PGPASSWORD or ~/.pgpass; a printed line may end up in a log) or the passphrase of the TLS
 * client key (`sslpassword`: libpq asks for it).
 */
export function printableUrl(config: Pick<Config, 'databaseUrl'>): string {
  let url = config.databaseUrl ?? '';
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.searchParams.delete('password');
    parsed.searchParams.delete('sslpassword');
    url = parsed.toString();
  } catch {
    // loadConfig has parsed it already; one that does not parse is not printed.
    return '"$VOUCH_DATABASE_URL"';
  }
  return `'${url.replace(/'/g, `'\\''`)}'`;
}

/**
 * ` --schema=<name>` when a schema is set: pg_dump then dumps that schema only (without it, the whole database).
 * pg_restore does not take it: it would skip the dump's CREATE SCHEMA.
 */
export function schemaOption(config: Pick<Config, 'databaseSchema'>): string {
  return config.databaseSchema === undefined ? '' : ` --schema=${shellWord(config.databaseSchema)}`;
}

/** The pg_dump command that backs up the configured PostgreSQL database (its schema when one is set) into `output`. */
export function pgDumpCommand(config: Pick<Config, 'databaseUrl' | 'databaseSchema'>, output: string): string {
  return `pg_dump --format=custom${schemaOption(config)} --file=${shellWord(output)} ${printableUrl(config)}`;
}

/**
 * The deployment's settings for a command that works on its SQLite file (backup, restore), the data folder flag
 * applied; a bad setting exits 2 under the flag's name, and PostgreSQL exits 2 with `postgres(config)`, the command
 * to run instead.
 */
export async function sqliteCommandConfig(
  opts: { dataDir?: string },
  postgres: (config: Config) => string,
): Promise<Config> {
  const env = envWithFlags({ dataDir: opts.dataDir });
  const { ConfigError, loadConfig } = await import('@vouch/server');
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(withCode(underFlag(err.message, opts), err.code), EXIT.USAGE);
    throw err;
  }
  if (config.databaseUrl !== undefined) throw new CliError(postgres(config), EXIT.USAGE);
  return config;
}

/** The server's rule for key files, in the CLI's words: stderr, never stdout (which may be --json). */
export function keyFileWarnings(io: Io): { warn: (_: unknown, message: string) => void } {
  return { warn: (_: unknown, message: string) => io.err(`vouch: warning: ${message}.`) };
}

/** The human form of what `vouch backup` wrote. */
function describe(done: SqliteBackup): string {
  const width = Math.max(...Object.keys(done.tables).map((t) => t.length));
  const rows = Object.entries(done.tables).map(([table, n]) => `  ${table.padEnd(width)}  ${n}`);
  return [
    `wrote ${done.file} (${done.bytes} bytes), a consistent copy of ${done.database}`,
    `schema ${done.schemaVersion}; rows:`,
    ...rows,
    kekAdvice(done),
  ].join('\n');
}

/** The KEK file to keep with the backup, or what is wrong with the one the settings name. */
function kekAdvice(done: SqliteBackup): string {
  const needed = 'the KEK of this deployment (the one its servers start with), which a restore needs';
  switch (done.kek) {
    case 'matches':
      return (
        `The server keys in it are sealed under the KEK in ${done.kekFile}, which is not in the backup: back that ` +
        'file up separately (and store it apart from the backup); a restore needs it.'
      );
    case 'differs':
      return (
        `The KEK in ${done.kekFile} is NOT the one the server keys in it are sealed under (check VOUCH_KEK_FILE): ` +
        `back up ${needed}, not that file.`
      );
    case 'missing':
      return `There is no KEK at ${done.kekFile} (check VOUCH_KEK_FILE): back up ${needed}.`;
    case 'unreadable':
      return (
        `The KEK file ${done.kekFile} cannot be used (${(done.kekProblem ?? 'unreadable').replace(/\.$/, '')}): ` +
        `back up ${needed}.`
      );
  }
}

/** `vouch backup`: a consistent copy of the embedded SQLite database, servers running or not. */
export function registerBackup(program: Command, io: Io): void {
  program
    .command('backup')
    .description(
      'Write a consistent copy of the SQLite database (servers may keep running); PostgreSQL is backed up with pg_dump.',
    )
    .requiredOption(
      '--output <file>',
      'the backup file to write (mode 0600); its folder must not be writable by others',
    )
    .option('--force', 'replace the output file if it exists')
    .option('--data-dir <dir>', 'data directory (overrides VOUCH_DATA_DIR)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
The database is found as the server finds it (VOUCH_DATABASE_URL, VOUCH_DATA_DIR). The copy is written to a temporary
file beside the output, checked, flushed to disk and then renamed, so the output is whole or absent. Its server keys
are sealed under the KEK (VOUCH_KEK_FILE, or <data dir>/kek.key), which is not in the backup: back it up separately.
With VOUCH_DATABASE_URL set, prints the pg_dump command to run instead and exits 2.

Examples:
  $ vouch backup --output /backups/vouch-2026-01-31.db
  $ vouch backup --data-dir /var/lib/vouch --output /backups/vouch.db --force --json`,
    )
    .action(async (opts: { output: string; force?: boolean; dataDir?: string; json?: boolean }) => {
      if (opts.output.trim() === '') throw new CliError('--output must not be empty.', EXIT.USAGE);
      const config = await sqliteCommandConfig(
        opts,
        (config) =>
          'PostgreSQL is backed up with pg_dump, not vouch backup (the password from PGPASSWORD or ~/.pgpass; the KEK ' +
          `file separately): ${pgDumpCommand(config, opts.output)}`,
      );
      const { BackupError, ConfigError, backupSqlite } = await import('@vouch/server');
      let done: SqliteBackup;
      try {
        done = await backupSqlite(config, opts.output, { force: opts.force === true }, keyFileWarnings(io));
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (err instanceof ConfigError) throw new CliError(withCode(err.message, err.code), EXIT.USAGE);
        if (err instanceof BackupError) throw new CliError(withCode(err.message, err.code), EXIT.USAGE);
        if (code === 'DATABASE_UNAVAILABLE') {
          throw new CliError(withCode((err as Error).message, code), EXIT.USAGE);
        }
        throw err;
      }
      print(io, opts.json === true, done, () => describe(done));
    });
}
