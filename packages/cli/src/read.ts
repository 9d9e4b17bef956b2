// What the CLI reads from files and standard input, up to a cap: at most cap + 1 bytes are ever read, so a
// multi-gigabyte file, /dev/zero or an endless pipe is refused once past the cap instead of filling memory.
import { open } from 'node:fs/promises';

const CHUNK_BYTES = 1024 * 1024;

/** Most bytes of a key file the CLI reads (a key file is a few hundred bytes of JSON or PEM). */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * The bytes of `path` (a file, or a pipe, FIFO or device), or `undefined` when it holds more than `max`. A regular
 * file larger than `max` is refused from its size, unread. Errors are the file system's, with their `code`.
 */
export async function readFileUpTo(path: string, max: number): Promise<Buffer | undefined> {
  const handle = await open(path, 'r');
  try {
    const st = await handle.stat();
    if (st.isFile() && st.size > max) return undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // One byte past the cap at most; a regular file in one read of its size (+1 to see its end).
      const want = Math.min(st.isFile() ? st.size + 1 : CHUNK_BYTES, max + 1 - total);
      const chunk = Buffer.allocUnsafe(Math.max(want, 1));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > max) return undefined;
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

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
