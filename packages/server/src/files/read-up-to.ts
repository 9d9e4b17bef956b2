// Reading a file up to a cap: at most cap + 1 bytes are ever read, so a multi-gigabyte file, /dev/zero or an endless
// pipe is refused once past the cap instead of filling memory, and a regular file larger than the cap is refused from
// its size, unread.
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { errnoCode } from './errno.ts';

/** The most read at once from a pipe or a device, whose size says nothing. */
const CHUNK_BYTES = 1024 * 1024;

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

export interface ReadUpToOptions {
  /**
   * Refuse anything but a regular file (`NOT_REGULAR`, said before any read), opened without blocking (O_NONBLOCK,
   * which a regular file ignores): a named pipe would otherwise wait for a writer for ever. For files a server reads at
   * start. Default: a pipe, FIFO or device is read too, up to the cap, as the CLI reads `<(…)` and /dev/stdin.
   */
  regularOnly?: boolean;
}

/**
 * The bytes of `path` (symbolic links followed), or `undefined` when it holds more than `max`. Failures are
 * {@link FileReadError}s whose `code` is the errno, or `NOT_REGULAR` with `regularOnly`.
 *
 * @example
 * const bytes = await readFileUpTo('agent.key.json', 64 * 1024);
 * if (bytes === undefined) throw new Error('more than 64 KiB');
 */
export async function readFileUpTo(
  path: string,
  max: number,
  options: ReadUpToOptions = {},
): Promise<Buffer | undefined> {
  return (await readFileUpToWithStats(path, max, options)).bytes;
}

/**
 * {@link readFileUpTo}, with the stat of the file read, taken on the same open handle: a key file's mode is judged on
 * that, not on the path looked up again, which may by then name another file.
 *
 * @example
 * const { bytes, stats } = await readFileUpToWithStats('admin.key', 4096);
 * if ((stats.mode & 0o002) !== 0) throw new Error('anyone may write it');
 */
export async function readFileUpToWithStats(
  path: string,
  max: number,
  options: ReadUpToOptions = {},
): Promise<{ bytes: Buffer | undefined; stats: Stats }> {
  const regularOnly = options.regularOnly === true;
  let handle;
  try {
    handle = await open(
      path,
      regularOnly ? constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY : constants.O_RDONLY,
    );
  } catch (err) {
    const code = errnoCode(err);
    if (regularOnly && code === 'EISDIR') {
      throw new FileReadError('NOT_REGULAR', 'is a directory, not a regular file');
    }
    // A Unix socket cannot be opened (ENXIO).
    if (regularOnly && code === 'ENXIO') {
      throw new FileReadError('NOT_REGULAR', 'is a socket or a device, not a regular file');
    }
    throw new FileReadError(code, `cannot be read (${code})`);
  }
  try {
    const stats = await handle.stat();
    const kind = regularOnly ? notRegular(stats) : undefined;
    if (kind !== undefined) throw new FileReadError('NOT_REGULAR', `is ${kind}, not a regular file`);
    return { bytes: await readHandleUpTo(handle, stats, max), stats };
  } catch (err) {
    if (err instanceof FileReadError) throw err;
    const code = errnoCode(err);
    throw new FileReadError(code, `cannot be read (${code})`);
  } finally {
    await handle.close();
  }
}

/**
 * Reads `path` whole if it is a regular file of at most `maxBytes` bytes: {@link readFileUpTo} with `regularOnly`,
 * and `TOO_LARGE` for a larger one.
 *
 * @example
 * const kek = await readRegularFile('/run/secrets/vouch.kek', 1024);
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  const bytes = await readFileUpTo(path, maxBytes, { regularOnly: true });
  if (bytes === undefined) throw new FileReadError('TOO_LARGE', `is larger than ${maxBytes} bytes`);
  return bytes;
}

/**
 * Up to `max` + 1 bytes of an open file, `undefined` past `max`. A regular file is read in one read of its size (+1 to
 * see its end, whatever the size said: it may be growing) into one buffer, returned as is: a caller that zeroes a key
 * after use zeroes the only copy.
 */
async function readHandleUpTo(handle: FileHandle, stat: Stats, max: number): Promise<Buffer | undefined> {
  if (stat.isFile() && stat.size > max) return undefined;
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const want = Math.min(stat.isFile() ? stat.size + 1 : CHUNK_BYTES, max + 1 - total);
    const chunk = Buffer.alloc(Math.max(want, 1));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > max) return undefined;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
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
