import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { Io } from '../output.ts';
import { print } from '../output.ts';
import { CliError, EXIT, withCode } from '../exit.ts';
import { envWithFlags, underFlag } from './serve.ts';

/** `vouch kek rewrap`: replace the key-encryption key that seals the server's private keys (servers stopped). */
export function registerKek(program: Command, io: Io): void {
  const kek = program
    .command('kek')
    .description("The key-encryption key that seals the server's private keys at rest.")
    .addHelpText(
      'after',
      `
Examples:
  $ vouch kek rewrap --new-kek-file kek.new`,
    );
  kek
    .command('rewrap')
    .description(
      'Re-seal every server key under a new KEK, in one transaction. Stop every server first; then replace the ' +
        'KEK file (VOUCH_KEK_FILE, or <data dir>/kek.key) with the new one and start them again.',
    )
    .requiredOption('--new-kek-file <file>', 'the new key: 32 bytes as 64 hex characters or base64, mode 0600')
    .option('--data-dir <dir>', 'data directory (overrides VOUCH_DATA_DIR)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
The database and the current KEK are found as the server finds them (VOUCH_DATABASE_URL, VOUCH_DATA_DIR,
VOUCH_KEK_FILE). Nothing changes unless every key opens under the current KEK.

Examples:
  $ vouch kek rewrap --new-kek-file /etc/vouch/kek.new
  $ openssl rand -hex 32 > kek.new && chmod 600 kek.new && vouch kek rewrap --new-kek-file kek.new
  $ VOUCH_DATABASE_URL=postgres://vouch@db/vouch VOUCH_KEK_FILE=/etc/vouch/kek vouch kek rewrap --new-kek-file kek.new`,
    )
    .action(async (opts: { newKekFile: string; dataDir?: string; json?: boolean }) => {
      // Else it resolves to the current folder, reported as a KEK file that is a directory.
      if (opts.newKekFile.trim() === '') throw new CliError('--new-kek-file must not be empty.', EXIT.USAGE);
      const env = envWithFlags({ dataDir: opts.dataDir });
      const { ConfigError, loadConfig, rewrapDeploymentKek } = await import('@vouch/server');
      let done;
      try {
        // The server's rule for key files, in the CLI's words: stderr, never stdout (which may be --json).
        const warnings = { warn: (_: unknown, message: string) => io.err(`vouch: warning: ${message}.`) };
        done = await rewrapDeploymentKek(loadConfig(env), resolve(opts.newKekFile), Date.now(), warnings);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (err instanceof ConfigError)
          throw new CliError(withCode(underFlag(err.message, opts), err.code), EXIT.USAGE);
        if (typeof code === 'string' && /^KEK_|^SEALED_|^DATABASE_|^MIGRATION_/.test(code)) {
          throw new CliError(withCode((err as Error).message, code), EXIT.USAGE);
        }
        throw err;
      }
      print(
        io,
        opts.json === true,
        done,
        () =>
          `re-sealed ${done.keys} server keys under ${done.newFile}.\n` +
          // Replacing the file below destroys the only key an earlier backup's server keys open with.
          `Backups taken before now are sealed under the old KEK: keep a copy of ${done.currentFile} with them (as ` +
          'safely) for as long as you keep them, or take a new backup now.\n' +
          `Next: replace ${done.currentFile} with it (or point VOUCH_KEK_FILE at it) for every server, then start ` +
          'them. Servers started with the old file now stop with KEK_MISMATCH.',
      );
    });
}
