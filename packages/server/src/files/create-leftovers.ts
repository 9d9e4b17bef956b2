// What createFileWhole leaves when its process is killed (SIGKILL, a power loss) between writing its temporary file
// and removing it: `<file>.<hex>.tmp`, mode 0600, holding the whole file (a secret key) beside it, for good. The
// temporary name holds the process id (8 hex digits, then 12 random ones; before, 16 random ones), so the next
// creation of the same file, and a server start for its key files, remove those whose process no longer runs.
import { lstat, readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from './errno.ts';
import { processOfTag, processRunning, processTag } from './process-running.ts';

/** The current names' tag (processTag): the process id, then random digits. */
const CURRENT = /^([0-9a-f]{20})$/;
/** Older versions' names: 16 random hex digits, no process id. */
const OLDER = /^[0-9a-f]{16}$/;
/**
 * An older version's temporary file (no process id in its name) is removed only once it is this old: createFileWhole
 * holds its file for the moments of a write, a flush and a link, so one untouched for a minute is not at work.
 */
export const OLDER_LEFTOVER_MIN_AGE_MS = 60_000;

/** Temporary files of createFileWhole calls of this process not yet done: never leftovers, though their id is ours. */
const inFlight = new Set<string>();

/** A new temporary name for creating `path`, holding this process's id; {@link releaseTempName} when done. */
export function createTempName(path: string): string {
  const temp = `${path}.${processTag()}.tmp`;
  inFlight.add(temp);
  return temp;
}

export function releaseTempName(temp: string): void {
  inFlight.delete(temp);
}

/** Says what was found: `file` is the leftover, `message` one sentence without a final period. */
export type LeftoverWarn = (file: string, message: string) => void;

/**
 * Removes the temporary files that createFileWhole calls of `path` interrupted by a crash left beside it, each named
 * in a `warn` sentence: not one whose process still runs (or one of this process's at work), nor an older version's
 * (no process id in its name) touched in the last {@link OLDER_LEFTOVER_MIN_AGE_MS} ms before `now`; those are named
 * and left. Only regular files. A folder that cannot be listed has none to tell of; a file that cannot be removed is
 * named with the reason.
 */
export async function clearCreateLeftovers(path: string, warn: LeftoverWarn, now: number = Date.now()): Promise<void> {
  const folder = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return;
  }
  for (const name of names.sort()) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const middle = name.slice(prefix.length, -'.tmp'.length);
    const current = CURRENT.test(middle);
    if (!current && !OLDER.test(middle)) continue;
    const file = join(folder, name);
    if (inFlight.has(file)) continue;
    const st = await lstat(file).catch(() => undefined);
    if (st === undefined || !st.isFile()) continue;
    const kept = `(it holds a copy of ${basename(path)})`;
    if (current) {
      const pid = processOfTag(middle);
      if (processRunning(pid)) {
        warn(
          file,
          `${file} is the temporary file of a creation of ${path} by process ${pid}, which may still be running; ` +
            `if it is not, remove the file ${kept}`,
        );
        continue;
      }
    } else if (now - st.mtimeMs < OLDER_LEFTOVER_MIN_AGE_MS) {
      warn(
        file,
        `${file} is the temporary file of a creation of ${path} by an older vouch, which may still be running; ` +
          `if none is, remove the file ${kept}`,
      );
      continue;
    }
    const what = `${file}, the temporary file of a creation of ${path} interrupted by a crash,`;
    try {
      await unlink(file);
      warn(file, `${what} was removed`);
    } catch (err) {
      // Removed meanwhile by another creation of the same file, which names it.
      if (errnoCode(err) === 'ENOENT') continue;
      warn(file, `${what} could not be removed (${errnoCode(err)}): remove it ${kept}`);
    }
  }
}
