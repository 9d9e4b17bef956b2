// Files created once and never overwritten (key files, identity files, registry entries): written whole or not at
// all, and still there after a crash that follows their creation.
import { link, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { clearCreateLeftovers, createTempName, releaseTempName } from './create-leftovers.ts';
import type { LeftoverWarn } from './create-leftovers.ts';
import { errnoCode } from './errno.ts';
import { syncFolder } from './sync.ts';

/** What link() answers on a file system without hard links (FAT, some network and FUSE mounts). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

export interface CreateWholeOptions {
  /**
   * On a file system without hard links, create the file itself ('wx', removed again if its write fails) instead of
   * failing with link()'s error. Then a reader may see it half-written while it is being written: fine for a command
   * that writes a file no one reads yet (the CLI), not for a server whose processes read the file a racing start
   * creates (the server leaves it false).
   */
  createWithoutHardLinks?: boolean;
  /**
   * When given, first removes the temporary files that earlier creations of `path` interrupted by a crash left beside
   * it (not those whose process still runs), naming each here (clearCreateLeftovers).
   */
  warn?: LeftoverWarn;
}

/**
 * Creates `path` holding `text` with `mode`, or returns false if it already exists (the caller reads it, or refuses).
 * The text is written and flushed to a private temporary file that is then hard-linked into place: link() fails with
 * EEXIST instead of replacing, and no reader ever sees a half-written file. Then the folder is flushed, where the
 * platform can: until it is, a power loss can lose the new name (while data sealed under the file's key is already
 * on disk, or after a command reported the file written). Other errors are the file system's, with their `code`.
 *
 * @example
 * if (!(await createFileWhole('data/admin.key', `${key}\n`, 0o600))) key = await readTheWinnersKey();
 */
export async function createFileWhole(
  path: string,
  text: string,
  mode: number,
  options: CreateWholeOptions = {},
): Promise<boolean> {
  if (options.warn !== undefined) await clearCreateLeftovers(path, options.warn);
  // `<path>.<process id><random>.tmp`: a later creation tells a crashed process's file from one at work.
  const temp = createTempName(path);
  try {
    await writeFile(temp, text, { flag: 'wx', mode, flush: true });
    try {
      await link(temp, path);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'EEXIST') return false;
      if (options.createWithoutHardLinks !== true || !NO_HARD_LINKS.has(code)) throw err;
      if (!(await createDirectly(path, text, mode))) return false;
    }
  } finally {
    await unlink(temp).catch(() => undefined);
    releaseTempName(temp);
  }
  await syncFolder(dirname(path));
  return true;
}

/** Without hard links: creates the file itself, false if it exists; removed again (it is ours: 'wx') if the write fails. */
async function createDirectly(path: string, text: string, mode: number): Promise<boolean> {
  try {
    await writeFile(path, text, { flag: 'wx', mode, flush: true });
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    await unlink(path).catch(() => undefined);
    throw err;
  }
}
