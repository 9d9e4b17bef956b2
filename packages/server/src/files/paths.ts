// Looking at a path without following it, or with its folder's links followed: shared by vouch backup and restore.
import { lstat, realpath } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';

/** What is at `file` as a name (a symbolic link itself, dangling or not), or undefined when nothing is. */
export async function lstatOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await lstat(file);
  } catch {
    return undefined;
  }
}

/** `file` with its folder's symbolic links resolved (the file itself need not exist); as given if that fails. */
export async function inRealFolder(file: string): Promise<string> {
  try {
    return join(await realpath(dirname(file)), basename(file));
  } catch {
    return file;
  }
}

/**
 * Whether `file`, as given, can only name a folder: it ends with a separator, `.` or `..` (resolve() drops these,
 * turning `/backups/vouch.db/` into the file `/backups/vouch.db`).
 */
export function namesFolder(file: string): boolean {
  const last = Math.max(file.lastIndexOf('/'), sep === '\\' ? file.lastIndexOf('\\') : -1);
  const name = file.slice(last + 1);
  return name === '' || name === '.' || name === '..';
}
