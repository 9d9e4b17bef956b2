import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './exit.ts';
import type { ExitCode } from './exit.ts';
import { processIo, safeIo } from './output.ts';
import type { Io } from './output.ts';
import { resolveSecretOptions } from './secrets.ts';
import { CLI_VERSION } from './version.ts';
import { registerServe } from './commands/serve.ts';
import { registerKeygen } from './commands/keygen.ts';
import { registerRegistry } from './commands/registry/index.ts';
import { registerToken } from './commands/token/index.ts';
import { registerKeys } from './commands/keys/index.ts';
import { registerAudit } from './commands/audit.ts';
import { registerKek } from './commands/kek.ts';
import { registerBackup } from './commands/backup.ts';
import { registerRestore } from './commands/restore.ts';
import { registerAgent } from './commands/agent/index.ts';
import { registerIntegrator, registerReputation } from './commands/integrator/index.ts';

/**
 * Commander names an unknown option as it was given, so `--admin-key=KEY` on a command without that option (or with
 * its name mistyped) would print the key: the value after `=` is left out. The option's name stays, for the user.
 */
function withoutOptionValue(text: string): string {
  const m = /^(error: unknown option '-[^=']*)=[\s\S]*'(\n\(Did you mean [^()]*\))?\n?$/.exec(text);
  return m === null ? text : `${m[1]}=…'${m[2] ?? ''}\n`;
}

/**
 * Builds the `vouch` program; every command writes through `io` (so tests can capture it), with what a terminal
 * would act on replaced (servers supply some of the text).
 */
export function buildProgram(rawIo: Io = processIo): Command {
  const io = safeIo(rawIo);
  const program = new Command();
  program
    .name('vouch')
    .description('Vouch: identity, credentials and trust for AI agents.')
    .version(CLI_VERSION, '-v, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(withoutOptionValue(s)),
    })
    .exitOverride()
    // Runs before every subcommand's action: secrets from their -file options, a warning for those in arguments.
    .hook('preAction', (_program, action) => resolveSecretOptions(action, io))
    .addHelpText(
      'after',
      `
Examples:
  $ vouch serve
  $ vouch keygen --type ed25519 --output agent.key.json
  $ vouch backup --output /backups/vouch.db

Exit codes: 0 ok, 1 verification failed, 2 usage or input error.`,
    );
  registerServe(program);
  registerKeygen(program, io);
  registerRegistry(program, io);
  registerToken(program, io);
  registerKeys(program, io);
  registerAudit(program, io);
  registerKek(program, io);
  registerBackup(program, io);
  registerRestore(program, io);
  registerAgent(program, io);
  registerIntegrator(program, io);
  registerReputation(program, io);
  // Subcommands inherit the same output and error handling.
  for (const cmd of program.commands) {
    cmd.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }).exitOverride();
  }
  return program;
}

/**
 * Runs the CLI and returns its exit code (0 ok, 1 verification failed, 2 usage or input error).
 *
 * @example
 * process.exitCode = await main(process.argv);
 */
export async function main(argv: readonly string[], rawIo: Io = processIo): Promise<ExitCode> {
  const io = safeIo(rawIo);
  const program = buildProgram(rawIo);
  try {
    await program.parseAsync(argv as string[]);
    return EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through exitOverride with exit code 0.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (err instanceof CliError) {
      io.err(`vouch: ${err.message}`);
      return err.exitCode;
    }
    io.err(`vouch: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.USAGE;
  }
}
