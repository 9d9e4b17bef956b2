// Files that hold a secret (a private key, an identity, an API key) should be their owner's alone. One that group
// members or other users can read is still used, with one warning on stderr (never stdout, which may be machine
// output): refusing would break keys kept on shared or mounted storage, which `chmod 600` fixes.
import { stat } from 'node:fs/promises';
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
 * Warns on `io.err` when the private key file `file`, just read, can be read by group members or others. A file that
 * cannot be examined (or is a pipe or a device) draws nothing: reading it is what the caller reports on.
 */
export async function warnIfReadableByOthers(file: string, io: Pick<Io, 'err'>): Promise<void> {
  let mode: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) return;
    mode = st.mode;
  } catch {
    return;
  }
  const warning = readableByOthersWarning(file, mode);
  if (warning !== undefined) io.err(warning);
}
