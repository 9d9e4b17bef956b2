// Files that hold a secret (a private key, an identity, an API key) should be their owner's alone. One that group
// members or other users can read is still used, with one warning on stderr (never stdout, which may be machine
// output): refusing would break keys kept on shared or mounted storage, which `chmod 600` fixes. Key files the CLI
// signs with follow the server's rule exactly (checkSigningKeyFile): a file any user may write is refused.
import { checkKeyFileModes } from '@vouch/server/key-file-modes';
import { CliError, EXIT } from './exit.ts';
import type { Io } from './output.ts';

/**
 * The warning for a secret file of `mode` (its permission bits) that group members or others can read, or undefined.
 * Windows reports no such bits (every file looks 0666): nothing to say there.
 */
export function readableByOthersWarning(file: string, mode: number): string | undefined {
  if (process.platform === 'win32' || (mode & 0o044) === 0) return undefined;
  return (
    `vouch: warning: ${file} can be read by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); ` +
    `chmod 600 ${file}.`
  );
}

/**
 * Holds the private key file `file`, just read, to the server's rule for key files (checkKeyFileModes, shared so the
 * two cannot drift): one group members or others may read, or group members write, draws one warning on `io.err`;
 * one any user may write is refused with exit 2 (whoever can replace it signs as its owner), before anything is sent
 * or written. `setting` names where the file came from in the refusal. A file that cannot be examined (or is a pipe
 * or a device) draws nothing: reading it is what the caller reports on.
 */
export async function checkSigningKeyFile(file: string, setting: string, io: Pick<Io, 'err'>): Promise<void> {
  // The server's words, on stderr with the CLI's prefix: stdout may be machine output.
  const warnings = { warn: (_: unknown, message: string) => io.err(`vouch: warning: ${message}.`) };
  try {
    await checkKeyFileModes([{ file, setting }], warnings);
  } catch (err) {
    // ConfigError's stable code: the refusal of a file any user may write.
    if ((err as { code?: unknown }).code === 'CONFIG_INVALID') throw new CliError((err as Error).message, EXIT.USAGE);
    throw err;
  }
}
