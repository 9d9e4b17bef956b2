// Whether the process that named a temporary file is still at work: leftovers of crashed restores, backups and key
// file creations carry their process id, and only those whose process is gone are removed.
import { errnoCode } from './errno.ts';

/** Whether a process with id `pid` runs now (EPERM: one runs, as another user); this process's own id does not count. */
export function processRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}
