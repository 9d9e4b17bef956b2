// What the CLI reads from files and standard input, up to a cap: at most cap + 1 bytes are ever read, so a
// multi-gigabyte file, /dev/zero or an endless pipe is refused once past the cap instead of filling memory. Files are
// read with readFileUpTo (@vouch/server/files, shared with the server), which reads pipes, FIFOs and devices too.

import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * A file's bytes, `undefined` past `max` (at most `max` + 1 are read, also from a pipe or a device), and the stat of
 * the file read, from the same open handle: a key file's mode is checked on that (checkKeyFile), not on the path
 * looked up again, which may by then name another file. Errors are the file system's, with their `code`.
 */
export async function readFileAndStats(
  path: string,
  max: number,
): Promise<{ bytes: Buffer | undefined; stats: Stats }> {
  const handle = await open(path, 'r');
  try {
    const stats = await handle.stat();
    if (stats.isFile() && stats.size > max) return { bytes: undefined, stats };
    const buf = Buffer.alloc(max + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, n, buf.length - n, null);
      n += bytesRead;
      if (bytesRead === 0 || n === buf.length) break;
    }
    return { bytes: n > max ? undefined : buf.subarray(0, n), stats };
  } finally {
    await handle.close();
  }
}

/** Most bytes of a key file the CLI reads (a key file is a few hundred bytes of JSON or PEM). */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

/** Standard input, or `undefined` as soon as it passes `max` bytes (the rest is not read). */
export async function readStdinUpTo(
  max: number,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of stdin) {
    const chunk = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    total += chunk.length;
    // Leaving the loop destroys the stream: nothing more is read.
    if (total > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** A byte count as the CLI's messages print it: `16 KiB`, `256 MiB`. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
