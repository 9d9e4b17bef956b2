// Flushing a folder's entries, so that a file created or renamed in it survives a crash: shared by every writer of
// a file that must be whole (createFileWhole, replaceFileWhole, vouch backup, vouch restore).
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { errnoCode } from './errno.ts';

/** What a platform answers when it cannot open or flush a folder (Windows; some network and FUSE file systems). */
const FOLDER_SYNC_REFUSED = new Set(['EISDIR', 'EINVAL', 'EPERM', 'EACCES', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Flushes a folder's entries to disk where the platform can (a folder it will not flush is no reason to fail: the file
 * is whole either way); any other failure (EIO) is thrown.
 */
export async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, constants.O_RDONLY);
    await handle.sync();
  } catch (err) {
    if (!FOLDER_SYNC_REFUSED.has(errnoCode(err))) throw err;
  } finally {
    await handle?.close();
  }
}
