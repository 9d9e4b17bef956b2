// Files that hold a secret (a private key, an identity, an API key) should be their owner's alone. Every one the CLI
// reads follows the server's rule for key files (checkKeyFileModes, shared so the two cannot drift): one that group
// members or other users can read, or group members write, is still used, with one warning on stderr (never stdout,
// which may be machine output): refusing would break keys kept on shared or mounted storage, which `chmod 600` fixes.
// One that any user may write is refused: whoever replaces it signs as its owner, or chooses the API key sent.
import type { Stats } from 'node:fs';
import { checkKeyFileModes } from '@vouch/server/key-file-modes';
import { CliError, EXIT } from './exit.ts';
import type { Io } from './output.ts';

/**
 * Holds the key file `file` (a private key, an identity or an API key), just read, to the server's rule for key
 * files: one group members or others may read, or group members write, draws one warning on `io.err`; one any user
 * may write is refused with exit 2, before anything is sent or written. `setting` names where the file came from in
 * the refusal. A file that cannot be examined (or is a pipe or a device) draws nothing: reading it is what the caller
 * reports on. `stats`, the stat of the file the caller read (FileHandle.stat), is checked instead of `file` looked up
 * again, which may by then name another file.
 */
export async function checkKeyFile(file: string, setting: string, io: Pick<Io, 'err'>, stats?: Stats): Promise<void> {
  // The server's words, on stderr with the CLI's prefix: stdout may be machine output.
  const warnings = { warn: (_: unknown, message: string) => io.err(`vouch: warning: ${message}.`) };
  try {
    await checkKeyFileModes([{ file, setting, stats }], warnings);
  } catch (err) {
    // ConfigError's stable code: the refusal of a file any user may write.
    if ((err as { code?: unknown }).code === 'CONFIG_INVALID') throw new CliError((err as Error).message, EXIT.USAGE);
    throw err;
  }
}
