// The symbolic links a path goes through, found as the kernel resolves it: the key file rule (checkKeyFileModes)
// judges each link's own owner, and the folder each one lies in, which neither the path as named nor the file it
// finally names shows (a link in the middle of a chain, or one standing for a folder on the way).
import { lstat, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, isAbsolute, join, parse, resolve, sep } from 'node:path';

/** The kernel's limit on links followed in one lookup (Linux's MAXSYMLINKS): a loop ends there too. */
const MAX_LINKS = 40;

/** A symbolic link met on the way, and its own stats (lstat: the link, not what it names). */
export interface PathLink {
  path: string;
  stats: Stats;
}

/** What resolving a path went through. */
export interface PathWalk {
  /** Every link followed, in the order met; `path` is where it lies, its folders' links resolved. */
  links: PathLink[];
  /** Every folder a name was looked up in, links resolved, in the order met. */
  folders: string[];
}

/**
 * Resolves `file` one name at a time as the kernel does, following each symbolic link (its target's names take its
 * place, from `/` when absolute, else from the link's folder). Stops quietly where a name cannot be looked up (or a
 * link read) or after MAX_LINKS links: what is missing is left to the file's reader.
 */
export async function walkPath(file: string): Promise<PathWalk> {
  const start = resolve(file);
  let dir = parse(start).root;
  let names = start.slice(dir.length).split(sep);
  const links: PathLink[] = [];
  const folders: string[] = [];
  while (names.length > 0) {
    const name = names.shift()!;
    if (name === '' || name === '.') continue;
    if (name === '..') {
      // `dir` has no links left in it, so its parent is the one the kernel goes to.
      dir = dirname(dir);
      continue;
    }
    const path = join(dir, name);
    // Counted even when the name is missing: a file yet to be written there (a backup's output) is at its mercy.
    if (!folders.includes(dir)) folders.push(dir);
    let st: Stats;
    try {
      st = await lstat(path);
    } catch {
      break;
    }
    if (!st.isSymbolicLink()) {
      dir = path;
      continue;
    }
    if (links.length === MAX_LINKS) break;
    links.push({ path, stats: st });
    let target: string;
    try {
      target = await readlink(path);
    } catch {
      break;
    }
    if (isAbsolute(target)) dir = parse(target).root;
    names = [...target.split(sep), ...names];
  }
  return { links, folders };
}
