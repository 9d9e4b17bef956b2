// Looking at a path without following it, or with its folder's links followed: shared by vouch backup and restore.
import { lstat, realpath } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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
