// Files the CLI creates and never overwrites (key files, registry entries): written whole or not at all, and still
// there after a crash that follows the command's success.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

// What link() answers on a filesystem without hard links (FAT, some network and FUSE mounts).
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Creates `path` holding `text` (with `mode`), or fails with `EEXIST` if it exists. The text goes to a temporary file
 * beside it first, flushed, which is then hard-linked into place: a write that fails (ENOSPC, EFBIG) or a crash never
 * leaves a half-written file under the final name, where it would block the next attempt ("already exists"). Then the
 * folder is flushed, so the name a command reported survives a power loss. Errors are the file system's, with their
 * `code`.
 */
export async function createFileWhole(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { flag: 'wx', mode, flush: true });
    try {
      // link() fails with EEXIST instead of replacing (rename would replace): an existing file is never overwritten.
      await link(tmp, path);
    } catch (err) {
      if (!NO_HARD_LINKS.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
      await createDirectly(path, text, mode);
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  await syncFolder(dirname(path));
}

/** Without hard links: create the file itself, and remove it again (it is ours: 'wx') if the write fails. */
async function createDirectly(path: string, text: string, mode: number): Promise<void> {
  try {
    await writeFile(path, text, { flag: 'wx', mode, flush: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await unlink(path).catch(() => undefined);
    throw err;
  }
}

/** What a platform answers when it cannot open or flush a folder (Windows; some network and FUSE file systems). */
const FOLDER_SYNC_REFUSED = new Set(['EISDIR', 'EINVAL', 'EPERM', 'EACCES', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Flushes a folder's entries to disk where the platform can (best effort: the file is whole either way, and a folder
 * the platform will not flush is no reason to fail a command that created its file); any other failure (EIO) is
 * thrown.
 */
async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, constants.O_RDONLY);
    await handle.sync();
  } catch (err) {
    if (!FOLDER_SYNC_REFUSED.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle?.close();
  }
}
