// What the CLI reads from files and standard input, up to a cap: at most cap + 1 bytes are ever read, so a
// multi-gigabyte file, /dev/zero or an endless pipe is refused once past the cap instead of filling memory. Files are
// read with readFileUpTo (@vouch/server/files, shared with the server), which reads pipes, FIFOs and devices too.

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

/**
 * A compact JWT (a token, a credential) read from standard input or a file: without ASCII whitespace (space, tab, CR,
 * LF) anywhere, as the web console's token inspector reads one (no compact JWT holds any: a token copied from a
 * wrapped terminal comes with line breaks and indents), and without other whitespace at its ends, as before.
 */
export function compactToken(text: string): string {
  return text.replace(/[ \t\r\n]/g, '').trim();
}

// fatal: bytes that are not UTF-8 are refused, never read as U+FFFD (a key, a metric or a token the file does not
// hold). A leading BOM (written by some Windows editors) is dropped, as TextDecoder does by default.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `bytes` as UTF-8 text without a leading BOM; `undefined` when they are not UTF-8. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
