// The key files a server reads at start (the KEK file, admin.key, VOUCH_REGISTRY_ROOT_KEY_FILE) should be the owner's
// alone. One that group members or others may read, or group members write, is warned about and used: orchestrators
// mount secrets 0644 (Kubernetes' default) and make volume files group-writable (fsGroup), and a start must not break
// on them. One that any user may write is refused: whoever replaces admin.key holds the admin API at the next start,
// and whoever replaces the root key file before its import holds the registry. The folders above a key file count
// as much as the file: whoever may write one (without the sticky bit /tmp has) can rename their own file, or folder,
// over it, whatever the file's own mode. Such a folder is refused like such a file; one group members may write is
// warned about. So is a key file, or a folder above it, owned by a user other than root and the process's own (as
// sshd's StrictModes refuses): its owner may write or chmod it, or rename entries in it, sticky bit or not. Root is
// told to run as that user rather than to take the file, which would lock the service's user out of it. A symbolic
// link on the way owned by such a user is refused too (sshd follows links without asking): in a sticky folder, which
// passes the folder rule, a link's owner may still remove it and put another in its place.
import { realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Stats } from 'node:fs';
import { ConfigError } from './config-error.ts';
import { errnoCode } from './files/errno.ts';
import { walkPath } from './files/path-links.ts';

/** A key file and the setting that chose it (for the refusal's message). */
export interface KeyFile {
  file: string;
  setting: string;
  /** The stat of the file as the caller opened it (FileHandle.stat): checked instead of looking `file` up again. */
  stats?: Stats;
  /** The caller creates the file when it is missing (a fresh SQLite database's KEK): its folders are judged anyway. */
  createdIfMissing?: boolean;
}

/** Where the warnings go: the server's logger, or what `vouch kek rewrap` prints on stderr. */
export interface KeyFileWarnings {
  /** `mode` is the folder's when `folder` is set (a folder group members may write), else the file's. */
  warn(fields: { file: string; mode: string; folder?: string }, message: string): void;
}

/** A mode as `chmod` takes it: `0644`. */
function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/**
 * The folders whose writers could replace `file`: each one above it as named (where a symbolic link itself lives) and
 * each one above the file it finally names, nearest first; then those that hold a link met on the way (walkPath) and
 * are in neither, such as the folder of a link in the middle of a chain.
 */
async function foldersAbove(file: string, walked: readonly string[]): Promise<string[]> {
  const starts = [resolve(file)];
  try {
    starts.push(await realpath(file));
  } catch {
    // Examined by the caller already; one that vanished since is left to its reader.
  }
  const folders: string[] = [];
  for (const start of starts) {
    for (let dir = dirname(start); ; dir = dirname(dir)) {
      if (!folders.includes(dir)) folders.push(dir);
      if (dirname(dir) === dir) break;
    }
  }
  for (const dir of walked) if (!folders.includes(dir)) folders.push(dir);
  return folders;
}

/** The permission bits of folder `st` when a user other than its owner may rename entries in it, else undefined. */
function openFolderMode(st: Stats): number | undefined {
  // The sticky bit (/tmp's 1777) lets only an entry's owner (or the folder's) rename or remove it.
  if ((st.mode & 0o1000) !== 0 || (st.mode & 0o022) === 0) return undefined;
  return st.mode & 0o777;
}

/** The stat of `folder` if it is one, else undefined (one that vanished is left to the key file's reader). */
async function folderStats(folder: string): Promise<Stats | undefined> {
  try {
    const st = await stat(folder);
    return st.isDirectory() ? st : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The process's own user: the effective uid, the one the kernel checks file access by (the real uid differs under
 * setuid). Undefined where there are no uids (Windows has no geteuid).
 */
function ownUid(): number | undefined {
  return process.geteuid?.();
}

/**
 * The owner of `st` when it is a user who could replace a key without being trusted with it: neither root nor the
 * process's own user (ownUid). Undefined where there are no uids to compare.
 */
function foreignOwner(st: Stats): number | undefined {
  const own = ownUid();
  if (own === undefined || st.uid === 0 || st.uid === own) return undefined;
  return st.uid;
}

/**
 * What to do about `path`, owned by `owner` (foreignOwner): give it to the process's own user, or, when that is root,
 * run as its owner instead. Root (`sudo vouch kek rewrap`, `sudo vouch backup`) over the service user's files taking
 * them with `chown 0` would lock that user, and the server it runs, out of them; the refusal stands all the same, as
 * root must not trust a file another user can replace.
 */
function ownerAdvice(owner: number, path: string, link = false): string {
  const own = ownUid()!;
  if (own === 0) return `run this as the user that owns it (sudo -u '#${owner}' ...), not as root`;
  // Plain chown follows a link, and would give away the key instead.
  return `chown ${link ? '-h ' : ''}${own} ${path}`;
}

/**
 * Logs one warning per key file that group members or others may read (or group members write), naming its path,
 * its mode and `chmod 600`, never its content; throws `ConfigError` for one that others may write. The folders above
 * each file (see foldersAbove) are held to the same rule, save the sticky bit: one others may write is a
 * `ConfigError`, one group members may write draws one warning (once per folder). A file or folder owned by a user
 * other than root and the process's own is a `ConfigError` too, as is a symbolic link so owned on the way to the file
 * (walkPath). A file that does not exist or cannot be examined is left to the code that reads it, save the folders
 * of one the caller creates when missing (`createdIfMissing`). Windows has no such modes: nothing is checked.
 */
export async function checkKeyFileModes(files: readonly KeyFile[], logger: KeyFileWarnings): Promise<void> {
  if (process.platform === 'win32') return;
  const seen = new Set<string>();
  const warnedFolders = new Set<string>();
  for (const { file, setting, stats, createdIfMissing } of files) {
    if (seen.has(file)) continue;
    seen.add(file);
    // Undefined for a missing file its caller is about to create: it lands in the folders judged below.
    let st: Stats | undefined;
    try {
      // Followed through symbolic links: a mounted secret is a link to the file whose mode counts.
      st = stats ?? (await stat(file));
      if (!st.isFile()) continue;
    } catch (err) {
      if (createdIfMissing !== true || errnoCode(err) !== 'ENOENT') continue;
    }
    const mode = st === undefined ? 0 : st.mode & 0o777;
    if ((mode & 0o002) !== 0) {
      throw new ConfigError(
        `${setting}: the key file ${file} can be written by any user (mode ${octal(mode)}), who could replace the ` +
          `key: chmod 600 ${file}.`,
      );
    }
    const fileOwner = st === undefined ? undefined : foreignOwner(st);
    if (fileOwner !== undefined) {
      throw new ConfigError(
        `${setting}: the key file ${file} is owned by another user (uid ${fileOwner}), who could replace the key: ` +
          `${ownerAdvice(fileOwner, file)}.`,
      );
    }
    const walk = await walkPath(file);
    const groupFolders: { folder: string; mode: number }[] = [];
    for (const folder of await foldersAbove(file, walk.folders)) {
      const folderSt = await folderStats(folder);
      if (folderSt === undefined) continue;
      const folderMode = openFolderMode(folderSt);
      if (folderMode !== undefined && (folderMode & 0o002) !== 0) {
        throw new ConfigError(
          `${setting}: the folder ${folder} holding the key file ${file} can be written by any user (mode ` +
            `${octal(folderMode)}, no sticky bit), who could put their own file in place of the key: chmod o-w ${folder}.`,
        );
      }
      const folderOwner = foreignOwner(folderSt);
      if (folderOwner !== undefined) {
        throw new ConfigError(
          `${setting}: the folder ${folder} holding the key file ${file} is owned by another user (uid ` +
            `${folderOwner}), who could put their own file in place of the key: ${ownerAdvice(folderOwner, folder)}.`,
        );
      }
      if (folderMode !== undefined && !warnedFolders.has(folder)) groupFolders.push({ folder, mode: folderMode });
    }
    for (const link of walk.links) {
      const linkOwner = foreignOwner(link.stats);
      if (linkOwner !== undefined) {
        throw new ConfigError(
          `${setting}: the symbolic link ${link.path} on the way to the key file ${file} is owned by another user ` +
            `(uid ${linkOwner}), who could point it at their own file: ${ownerAdvice(linkOwner, link.path, true)}.`,
        );
      }
    }
    const who = [
      ...((mode & 0o044) !== 0 ? ['read by other users'] : []),
      ...((mode & 0o020) !== 0 ? ['written by group members'] : []),
    ].join(' and ');
    if (who !== '') {
      logger.warn(
        { file, mode: octal(mode) },
        `key file ${file} can be ${who} (mode ${octal(mode)}); chmod 600 ${file}`,
      );
    }
    for (const { folder, mode: folderMode } of groupFolders) {
      warnedFolders.add(folder);
      logger.warn(
        { file, folder, mode: octal(folderMode) },
        `folder ${folder} holding key file ${file} can be written by group members (mode ${octal(folderMode)}, no ` +
          `sticky bit); chmod g-w ${folder}`,
      );
    }
  }
}
