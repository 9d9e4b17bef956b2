// What a `vouch backup` killed (SIGKILL, Ctrl-C during the copy, a machine crash) leaves beside its output: the
// temporary copy `.<output>.backup-<pid><hex>.tmp` (before the process id was in the name, `.<output>.<hex>.tmp`),
// maybe with a -journal file SQLite made for it. It holds the sealed server keys and the audit trail under a hidden
// name. The next backup of the same output removes such files (not one whose process still runs), and names those
// left beside it by backups of other outputs, which it leaves alone (the folder may be shared with another machine,
// whose running processes cannot be seen from here).
import { lstat, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeCause } from './storage/lib/error-cause.ts';
import { sqliteCompanions } from './storage/lib/sqlite.ts';
import { processOfTag, processRunning, processTag } from './files/process-running.ts';

/** The current names' tag (processTag): the process id, then random digits. */
const TEMP = /^\.(.+)\.backup-([0-9a-f]{20})\.tmp$/;
const OLDER_TEMP = /^\.(.+)\.([0-9a-f]{12})\.tmp$/;

/** The longest file name most file systems take, in bytes. */
const NAME_MAX = 255;
/**
 * What a temporary name adds to the output's name: `.`, `.backup-`, 20 hex digits, `.tmp`, and the `-journal` SQLite
 * writes beside it while it copies.
 */
const TEMP_EXTRA = 1 + '.backup-'.length + 20 + '.tmp'.length + '-journal'.length;

/** The output's name as its temporary file's name holds it: cut short if it would make that name too long. */
function tempBase(output: string): string {
  let base = output;
  while (Buffer.byteLength(base) + TEMP_EXTRA > NAME_MAX) base = [...base].slice(0, -1).join('');
  return base;
}

/** A new temporary name for a backup written to `file`, in its folder, holding this process's id. */
export function backupTempName(file: string): string {
  return join(dirname(file), `.${tempBase(basename(file))}.backup-${processTag()}.tmp`);
}

/** A backup's temporary file found beside its output. */
interface BackupLeftover {
  file: string;
  /** The backup it was to become (its name cut short as {@link tempBase} does). */
  output: string;
  /** Whether it was to become the output being written now. */
  same: boolean;
  /** Its -wal, -journal and -shm files that exist. */
  companions: string[];
  /** The process that made it, when its name says so and a process with that id runs now: maybe a backup at work. */
  runningPid?: number;
}

/**
 * The temporary files of interrupted (or running) backups in `folder`: of any output under the current name, and of
 * `output` under the older one. Only files: a folder or link so named is not a backup's. A folder that cannot be
 * listed has none to tell of.
 */
async function findBackupLeftovers(folder: string, output: string): Promise<BackupLeftover[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const found: BackupLeftover[] = [];
  for (const name of names.sort()) {
    const current = TEMP.exec(name);
    const older = current === null ? OLDER_TEMP.exec(name) : null;
    const same = (current ?? older)?.[1] === (current === null ? output : tempBase(output));
    if (current === null && (older === null || !same)) continue;
    const file = join(folder, name);
    const st = await lstat(file).catch(() => undefined);
    if (st === undefined || !st.isFile()) continue;
    const pid = current === null ? undefined : processOfTag(current[2]!);
    found.push({
      file,
      output: join(folder, (current ?? older)![1]!),
      same,
      companions: sqliteCompanions(file).filter((c) => names.includes(basename(c))),
      ...(pid !== undefined && processRunning(pid) ? { runningPid: pid } : {}),
    });
  }
  return found;
}

/**
 * Removes the temporary files that crashed backups of `output` left beside it, and names the others in its folder
 * (of backups that may still run, or of other outputs), each in a `warn` sentence (no final period).
 */
export async function clearBackupLeftovers(output: string, warn: (file: string, message: string) => void) {
  for (const leftover of await findBackupLeftovers(dirname(output), basename(output))) {
    const also =
      leftover.companions.length === 0 ? '' : ` (with ${leftover.companions.map((c) => basename(c)).join(', ')})`;
    const what = `${leftover.file}${also} is the temporary file of a vouch backup of ${leftover.output}`;
    if (leftover.runningPid !== undefined) {
      warn(
        leftover.file,
        `${what} that may still be running (process ${leftover.runningPid}); if none is, it was interrupted: remove ` +
          'the file',
      );
      continue;
    }
    if (!leftover.same) {
      warn(
        leftover.file,
        `${what} left by a backup interrupted by a crash (or one running on another machine): unless one is, ` +
          'remove it (it holds the sealed server keys)',
      );
      continue;
    }
    try {
      // The file last, so a failure leaves it to be found again.
      for (const file of [...leftover.companions, leftover.file]) await rm(file, { force: true });
      warn(leftover.file, `${what} left by a backup interrupted by a crash: it was removed`);
    } catch (err) {
      warn(
        leftover.file,
        `${what} left by a backup interrupted by a crash: remove it (it could not be removed: ${describeCause(err)})`,
      );
    }
  }
}
