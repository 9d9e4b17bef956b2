import type { Command } from 'commander';
import { CliError, EXIT, withCode } from '../exit.ts';

// Each flag and the variable it is passed to the server's configuration through.
const FLAGS = [
  ['host', '--host', 'VOUCH_HOST'],
  ['port', '--port', 'VOUCH_PORT'],
  ['dataDir', '--data-dir', 'VOUCH_DATA_DIR'],
] as const;

/**
 * The configuration's refusal, naming the flag where the user gave one: the server's message names the variable
 * (`VOUCH_PORT must be a whole number`, `VOUCH_PORT=0 picks ...`, `VOUCH_DATA_DIR: cannot use ...`), which
 * `--port abc` is passed through.
 */
export function underFlag(message: string, opts: ServeOptions): string {
  for (const [key, flag, variable] of FLAGS) {
    if (opts[key] === undefined || !message.startsWith(variable)) continue;
    const rest = message.slice(variable.length);
    if (rest.startsWith(' ') || rest.startsWith(':')) return `${flag}${rest}`;
    if (rest.startsWith('=')) return `${flag} ${rest.slice(1)}`;
  }
  return message;
}

/** The flags `vouch serve` (and `vouch kek rewrap`, `--data-dir`) pass to the server's configuration. */
export interface ServeOptions {
  host?: string;
  port?: string;
  dataDir?: string;
}

/**
 * The environment with each given flag in its variable. An empty variable means "the default"; an empty flag is a
 * mistake (`--data-dir "$DIR"` with DIR unset), refused instead of becoming the default.
 */
export function envWithFlags(opts: ServeOptions): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const [key, flag, variable] of FLAGS) {
    const value = opts[key];
    if (value === undefined) continue;
    if (value.trim() === '') throw new CliError(`${flag} must not be empty.`, EXIT.USAGE);
    env[variable] = value;
  }
  return env;
}

/** `vouch serve`: the server, configured by the same VOUCH_* environment as `npm start`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Start the Vouch server (configured by VOUCH_* environment variables; see the README).')
    .option('--host <host>', 'address to listen on (overrides VOUCH_HOST)')
    .option('--port <port>', 'port to listen on (overrides VOUCH_PORT)')
    .option('--data-dir <dir>', 'data directory (overrides VOUCH_DATA_DIR)')
    .addHelpText(
      'after',
      `
Examples:
  $ vouch serve
  $ VOUCH_DATABASE_URL=postgres://vouch@db/vouch VOUCH_ADMIN_KEY=... VOUCH_KEK_FILE=/etc/vouch/kek vouch serve --port 8080`,
    )
    .action(async (opts: ServeOptions) => {
      const env = envWithFlags(opts);
      // Loaded only here: every other command starts faster without the server and its storage drivers.
      const { ConfigError, loadConfig, runServer } = await import('@vouch/server');
      try {
        await runServer(loadConfig(env));
      } catch (err) {
        // Ending with its code, as vouch kek rewrap, backup and restore end theirs: the documented CONFIG_INVALID
        // (docs/operations.md "Configuration") and KEK_MISMATCH.
        if (err instanceof ConfigError)
          throw new CliError(withCode(underFlag(err.message, opts), err.code), EXIT.USAGE);
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && /^KEK_|^CONFIG_/.test(code))
          throw new CliError(withCode((err as Error).message, code), EXIT.USAGE);
        throw err;
      }
      // The listening socket keeps the process alive; runServer stops it on SIGTERM/SIGINT.
    });
}
