// Bearer secrets (the admin key, an owner key, a linking key) come from the environment or a file: every local user
// can read a process's arguments (/proc/<pid>/cmdline, ps). The argument form still works, with a warning, like
// key-files.ts, which takes private keys from files only.
import type { Stats } from 'node:fs';
import type { Command } from 'commander';
import { readFileUpToWithStats } from '@vouch/server/files';
import { CliError, EXIT } from './exit.ts';
import { checkKeyFile } from './file-mode.ts';
import type { Io } from './output.ts';

interface Secret {
  /** The commander option key of the value; the file option's key is this + `File`. */
  key: 'adminKey' | 'ownerKey' | 'linkingKey';
  flag: string;
  env: string;
  what: string;
}

export const SECRETS = {
  admin: { key: 'adminKey', flag: '--admin-key', env: 'VOUCH_ADMIN_KEY', what: 'admin API key' },
  owner: { key: 'ownerKey', flag: '--owner-key', env: 'VOUCH_OWNER_KEY', what: 'owner API key' },
  linking: { key: 'linkingKey', flag: '--linking-key', env: 'VOUCH_LINKING_KEY', what: "owner's linking key" },
} as const satisfies Record<string, Secret>;

// A key is a line of a few dozen characters; a larger file is not one.
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * `value`, a key about to be sent in a header, or exit 2 naming `source` (never the key) when it holds anything but
 * printable ASCII: fetch cannot send such a header (it threw, read as an unreachable server), and the server's keys
 * never hold one (adminKeyProblem), so it could not match either. A key file that is not UTF-8 ends here too.
 */
export function sendableKey(value: string, source: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) {
    throw new CliError(`${source} holds a character that cannot be sent in an HTTP header: a key is printable ASCII.`);
  }
  return value;
}

/** Adds `--<name>-file <file>` and `--<name> <key>` (the latter visible to other users, hence second). */
export function secretOption(cmd: Command, which: keyof typeof SECRETS, purpose = ''): Command {
  const s = SECRETS[which];
  return cmd
    .option(`${s.flag}-file <file>`, `file holding the ${s.what}${purpose} (default: $${s.env})`)
    .option(`${s.flag} <key>`, `the ${s.what} itself: visible to other local users, prefer $${s.env} or the file`);
}

/**
 * The secret in a file: one line, surrounding whitespace trimmed (String.prototype.trim), the rule the server reads
 * its admin.key by (resolveAdminKey), so that `--admin-key-file data/admin.key` takes every file the server takes;
 * HTTP drops surrounding whitespace from a header just the same. The file follows the server's rule for key files
 * (checkKeyFile): a warning when group members or others may read it or group members write it; exit 2, before
 * anything is sent, when any user may write it (whoever replaces it chooses the key the CLI sends).
 */
export async function readSecretFile(file: string, option: string, io: Io): Promise<string> {
  let text: string;
  let stats: Stats;
  try {
    // The mode checked below is this file's: the path, looked up again, may by then name another.
    const read = await readFileUpToWithStats(file, MAX_SECRET_FILE_BYTES);
    if (read.bytes === undefined) throw new CliError(`${option}: ${file} is too large to hold a key.`, EXIT.USAGE);
    ({ stats } = read);
    text = read.bytes.toString('utf8');
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${option}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const value = text.trim();
  if (value === '') throw new CliError(`${option}: ${file} is empty.`);
  if (/[\r\n]/.test(value)) {
    throw new CliError(`${option}: ${file} must hold the key alone, on one line.`);
  }
  sendableKey(value, `${option}: ${file}`);
  await checkKeyFile(file, option, io, stats);
  return value;
}

/**
 * A preAction hook for every command: reads each `--<name>-file` into its option (so that commands see one value),
 * refuses both forms at once, and warns once per secret given as an argument (never printing it).
 */
export async function resolveSecretOptions(cmd: Command, io: Io): Promise<void> {
  for (const s of Object.values(SECRETS)) {
    const file = cmd.getOptionValue(`${s.key}File`) as string | undefined;
    const inArgv = cmd.getOptionValueSource(s.key) === 'cli';
    if (inArgv && file !== undefined) throw new CliError(`give ${s.flag} or ${s.flag}-file, not both.`);
    if (inArgv) {
      const value = cmd.getOptionValue(s.key) as string;
      // `--admin-key "$KEY"` with KEY unset: a mistake, not "no key" (which would let the environment's key be sent).
      if (value.trim() === '') throw new CliError(`${s.flag} must not be empty.`);
      sendableKey(value, s.flag);
      io.err(
        `vouch: warning: ${s.flag} on the command line is visible to other local users; ` +
          `use $${s.env} or ${s.flag}-file instead.`,
      );
    }
    if (file !== undefined)
      cmd.setOptionValueWithSource(s.key, await readSecretFile(file, `${s.flag}-file`, io), 'config');
  }
}
