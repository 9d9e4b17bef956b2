import type { Command } from 'commander';
import { CliError, EXIT } from '../exit.ts';

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
    .action(async (opts: { host?: string; port?: string; dataDir?: string }) => {
      const env = { ...process.env };
      if (opts.host !== undefined) env.VOUCH_HOST = opts.host;
      if (opts.port !== undefined) env.VOUCH_PORT = opts.port;
      if (opts.dataDir !== undefined) env.VOUCH_DATA_DIR = opts.dataDir;
      // Loaded only here: every other command starts faster without the server and its storage drivers.
      const { ConfigError, loadConfig, runServer } = await import('@vouch/server');
      try {
        await runServer(loadConfig(env));
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(err.message, EXIT.USAGE);
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && /^KEK_|^CONFIG_/.test(code))
          throw new CliError((err as Error).message, EXIT.USAGE);
        throw err;
      }
      // The listening socket keeps the process alive; runServer stops it on SIGTERM/SIGINT.
    });
}
