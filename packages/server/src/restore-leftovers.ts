// What a `vouch restore` interrupted by a crash (of the process or the machine) leaves beside the database: its
// temporary copy `.vouch.db.restore-<hex>.tmp` (with the -wal, -journal or -shm files SQLite made for it); when it
// stopped while copying the old database aside, the unfinished copy `.vouch.db.restore-<hex>.kept.tmp`; and, when it
// stopped after that copy was whole and renamed but before the rename into place, a `vouch.db.before-restore-<time>`
// copy of the database still in place. The next restore removes the temporary files, and it, a backup and a server start
// name them; a kept copy is never removed (after a restore that was done it is the only copy of the replaced database).
import { readdir, realpath, rm, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeCause } from './storage/lib/error-cause.ts';
import { sqliteCompanions } from './storage/lib/sqlite.ts';
import { processOfTag, processRunning, processTag } from './files/process-running.ts';

/**
 * A new temporary name for a restore of `database` (the file itself, not a link to it), in its folder, holding this
 * process's id: a later restore tells the file of one still running from a crashed one's.
 */
export function restoreTempName(database: string): string {
  return join(dirname(database), `.${basename(database)}.restore-${processTag()}.tmp`);
}

/**
 * A new temporary name, in its folder, for the copy a restore keeps of the database it replaces (`database`, the file
 * itself), written there whole before it is renamed to `<db>.before-restore-<time>`: a file by that name is never part
 * of one.
 */
export function restoreKeptTempName(database: string): string {
  return join(dirname(database), `.${basename(database)}.restore-${processTag()}.kept.tmp`);
}

/** A restore's temporary file found beside the database. */
export interface RestoreLeftover {
  /** The file (absolute). */
  file: string;
  /** Its -wal, -journal and -shm files that exist. */
  companions: string[];
  /**
   * `database`: another name of the database in place (a restore into an empty place stopped after linking its copy
   * there, before removing this name); `copy`: a copy of a backup never put in place (the database was not replaced);
   * `kept`: an unfinished copy of the database in place, which a restore stopped while making it before replacing it
   * (the database was not replaced).
   */
  kind: 'database' | 'copy' | 'kept';
  /** The process that made it, when its name says so and a process with that id runs now: maybe a restore at work. */
  runningPid?: number;
  /** For a `copy`: kept copies (`<db>.before-restore-*`) not older than it, which that restore may have made. */
  kept: string[];
}

/**
 * The temporary files of interrupted (or running) restores beside `database` (the file itself, not a link to it). A
 * folder that cannot be listed has none to tell of.
 */
export async function findRestoreLeftovers(database: string): Promise<RestoreLeftover[]> {
  const folder = dirname(database);
  const base = basename(database);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const prefix = `.${base}.restore-`;
  const temps = names.filter(
    (n) => n.startsWith(prefix) && /^(?:[0-9a-f]{12}|[0-9a-f]{20}(?:\.kept)?)\.tmp$/.test(n.slice(prefix.length)),
  );
  if (temps.length === 0) return [];
  const db = await stat(database).catch(() => undefined);
  const keptNames = names.filter((n) => n.startsWith(`${base}.before-restore-`));
  const kept = await Promise.all(
    keptNames.map(async (n) => ({ file: join(folder, n), stats: await stat(join(folder, n)).catch(() => undefined) })),
  );
  const found: RestoreLeftover[] = [];
  for (const name of temps.sort()) {
    const file = join(folder, name);
    const st: Stats | undefined = await stat(file).catch(() => undefined);
    if (st === undefined || !st.isFile()) continue;
    const digits = name.slice(prefix.length).split('.')[0]!;
    const pid = digits.length === 20 ? processOfTag(digits) : undefined;
    const kind = name.endsWith('.kept.tmp')
      ? 'kept'
      : db !== undefined && db.dev === st.dev && db.ino === st.ino
        ? 'database'
        : 'copy';
    found.push({
      file,
      companions: sqliteCompanions(file).filter((c) => names.includes(basename(c))),
      kind,
      ...(pid !== undefined && processRunning(pid) ? { runningPid: pid } : {}),
      kept:
        kind === 'copy'
          ? kept.filter((k) => k.stats !== undefined && k.stats.mtimeMs >= st.mtimeMs).map((k) => k.file)
          : [],
    });
  }
  return found;
}

/** What `leftover` is, in a sentence for an operator (no final period), `removed` saying whether it was just removed. */
export function describeLeftover(leftover: RestoreLeftover, database: string, removed: boolean): string {
  const also =
    leftover.companions.length === 0 ? '' : ` (with ${leftover.companions.map((c) => basename(c)).join(', ')})`;
  if (leftover.runningPid !== undefined) {
    return (
      `${leftover.file}${also} is the temporary file of a vouch restore of ${database} that may still be running ` +
      `(process ${leftover.runningPid}); if none is, it was interrupted: remove the file`
    );
  }
  const what =
    leftover.kind === 'database'
      ? `${leftover.file}${also} is another name of the database at ${database}, left by a vouch restore interrupted ` +
        'just after it put the database there'
      : leftover.kind === 'kept'
        ? `${leftover.file}${also} is an unfinished copy of the database at ${database}, left by a vouch restore ` +
          'interrupted while it copied that database aside (nothing was replaced: the database there is whole)'
        : `${leftover.file}${also} is the copy of a backup left by a vouch restore of ${database} interrupted before ` +
          'it put the copy in place (it replaced nothing)';
  const action = removed
    ? leftover.kind === 'database'
      ? 'that name was removed (the file it named was the database this restore replaced, kept as its copy)'
      : 'it was removed'
    : 'remove it (the next vouch restore does)';
  const kept =
    leftover.kept.length === 0
      ? ''
      : `; ${leftover.kept.join(', ')} beside it may be a copy that restore made of the database then in place, ` +
        'or one a later restore kept of a database it replaced (then the only copy): it is not removed; check it ' +
        'before you remove it';
  return `${what}: ${action}${kept}`;
}

/**
 * Tells `warn` of each thing an interrupted vouch restore left beside the database at `database` (followed to its
 * real file, where restore writes), never touching it: the next restore removes it.
 */
export async function reportRestoreLeftovers(
  database: string,
  warn: (file: string, message: string) => void,
): Promise<void> {
  const linked = await realpath(database).catch(() => database);
  for (const leftover of await findRestoreLeftovers(linked))
    warn(leftover.file, describeLeftover(leftover, linked, false));
}

/**
 * Removes the temporary files of `leftovers` that no running process may hold, and their companions, telling `warn`
 * of each (removed, or why not). Never a kept copy.
 */
export async function removeLeftovers(
  leftovers: RestoreLeftover[],
  database: string,
  warn: (message: string) => void,
): Promise<void> {
  for (const leftover of leftovers) {
    if (leftover.runningPid !== undefined) {
      warn(describeLeftover(leftover, database, false));
      continue;
    }
    try {
      // The -wal file first, as removeCompanions does; the file last, so a failure leaves it to be found again.
      for (const file of [...leftover.companions, leftover.file]) await rm(file, { force: true });
      warn(describeLeftover(leftover, database, true));
    } catch (err) {
      warn(`${describeLeftover(leftover, database, false)} (it could not be removed: ${describeCause(err)})`);
    }
  }
}
