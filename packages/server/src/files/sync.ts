// Flushing a file's bytes and a folder's entries, so that a file written, created or renamed survives a crash of the
// machine: shared by every writer of a file that must be whole (createFileWhole, replaceFileWhole, vouch backup,
// vouch restore, vouch kek rewrap). What a platform may refuse is decided here, in one place.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { errnoCode } from './errno.ts';

/** What a platform answers when it cannot open or flush a folder (Windows; some network and FUSE file systems). */
const FOLDER_SYNC_REFUSED = new Set(['EISDIR', 'EINVAL', 'EPERM', 'EACCES', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** What a platform answers when it cannot flush a file (some network and FUSE file systems). */
const FILE_SYNC_REFUSED = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

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

export interface SyncFileOptions {
  /**
   * The file is someone else's (a key file an operator wrote, perhaps mode 0400): it is opened for reading only, and a
   * platform that cannot flush a file is tolerated, since refusing would not make it any safer. Without it the file is
   * one Vouch wrote and is about to put in place: it is opened for writing (Windows flushes only such a handle) and
   * every failure is thrown, since installing a file that may not be on disk would be worse than stopping.
   */
  readonly notOurs?: boolean;
}

/** Flushes a file's bytes to disk (`fsync`); failures are thrown, except as `notOurs` allows. */
export async function syncFile(file: string, opts: SyncFileOptions = {}): Promise<void> {
  const handle = await open(file, opts.notOurs === true ? 'r' : 'r+');
  try {
    await handle.sync();
  } catch (err) {
    if (opts.notOurs !== true || !FILE_SYNC_REFUSED.has(errnoCode(err))) throw err;
  } finally {
    await handle.close();
  }
}
