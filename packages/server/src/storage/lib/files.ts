// Key files the server reads and creates at start (the KEK file, admin.key): read only when they are small regular
// files, created whole and durably.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { link, open, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Why a file could not be read: `code` is the errno (`ENOENT`, `EACCES`, ...) or `NOT_REGULAR` / `TOO_LARGE`;
 * `reason` completes a sentence that starts with the file's path ("... is a named pipe (FIFO), not a regular file").
 */
export class FileReadError extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'FileReadError';
  }
}

/**
 * Reads `path` whole if it is a regular file of at most `maxBytes` bytes (symbolic links followed). The open never
 * blocks (O_NONBLOCK, which a regular file ignores): a named pipe would otherwise wait for a writer for ever, and a
 * device such as /dev/zero would be read without end. What it is instead is said in the error, before any read.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EISDIR') throw new FileReadError('NOT_REGULAR', 'is a directory, not a regular file');
    // A Unix socket cannot be opened (ENXIO).
    if (code === 'ENXIO') throw new FileReadError('NOT_REGULAR', 'is a socket or a device, not a regular file');
    throw new FileReadError(code, `cannot be read (${code})`);
  }
  try {
    const kind = notRegular(await handle.stat());
    if (kind !== undefined) throw new FileReadError('NOT_REGULAR', `is ${kind}, not a regular file`);
    // Read up to one byte past the limit, whatever the size said: the file may be growing.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw new FileReadError('TOO_LARGE', `is larger than ${maxBytes} bytes`);
    }
    return buffer.subarray(0, length);
  } catch (err) {
    if (err instanceof FileReadError) throw err;
    const code = errnoCode(err);
    throw new FileReadError(code, `cannot be read (${code})`);
  } finally {
    await handle.close();
  }
}

/** What a file that is not a regular one is, in words; undefined for a regular file. */
function notRegular(stat: Stats): string | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

/**
 * Creates `path` holding `text` with `mode`, or returns false if it already exists (the caller reads the winner's).
 * The text is written and flushed to a private temporary file that is then hard-linked into place: link() fails with
 * EEXIST instead of replacing, and no reader ever sees a half-written file. Then the folder is flushed: until it is, a
 * power loss can lose the new name while data sealed under the file's key is already on disk.
 */
export async function createFileWhole(path: string, text: string, mode: number): Promise<boolean> {
  const temp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { flag: 'wx', mode, flush: true });
    try {
      await link(temp, path);
    } catch (err) {
      if (errnoCode(err) === 'EEXIST') return false;
      throw err;
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncFolder(dirname(path));
  return true;
}

/** What a platform answers when it cannot open or flush a folder (Windows; some network and FUSE file systems). */
const FOLDER_SYNC_REFUSED = new Set(['EISDIR', 'EINVAL', 'EPERM', 'ENOTSUP', 'ENOSYS']);

/** Flushes a folder's entries to disk, where the platform can; any other failure (EIO) is thrown. */
async function syncFolder(folder: string): Promise<void> {
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

export function errnoCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}
