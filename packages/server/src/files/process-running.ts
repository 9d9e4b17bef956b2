// The process that named a temporary file, and whether it is still at work: leftovers of crashed restores, backups
// and key file creations carry their process id in a tag of their name, and only those whose process is gone are
// removed.
import { randomBytes } from 'node:crypto';
import { errnoCode } from './errno.ts';

/** The process id in a tag: its first 8 hex digits (then 12 random ones). */
const PID_DIGITS = 8;

/** A new tag for a temporary file's name: 20 hex digits, this process's id (8) and then 12 random ones. */
export function processTag(): string {
  const pid = process.pid.toString(16).padStart(PID_DIGITS, '0').slice(-PID_DIGITS);
  return `${pid}${randomBytes(6).toString('hex')}`;
}

/** The process id a tag made by {@link processTag} names. */
export function processOfTag(tag: string): number {
  return parseInt(tag.slice(0, PID_DIGITS), 16);
}

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
