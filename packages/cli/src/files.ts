// Files the CLI creates and never overwrites (key files, registry entries): written whole or not at all.
import { randomBytes } from 'node:crypto';
import { link, unlink, writeFile } from 'node:fs/promises';

// What link() answers on a filesystem without hard links (FAT, some network and FUSE mounts).
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Creates `path` holding `text` (with `mode`), or fails with `EEXIST` if it exists. The text goes to a temporary file
 * beside it first, which is then hard-linked into place: a write that fails (ENOSPC, EFBIG) or a crash never leaves a
 * half-written file under the final name, where it would block the next attempt ("already exists"). Errors are the
 * file system's, with their `code`.
 */
export async function createFileWhole(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { flag: 'wx', mode });
    try {
      // link() fails with EEXIST instead of replacing (rename would replace): an existing file is never overwritten.
      await link(tmp, path);
    } catch (err) {
      if (!NO_HARD_LINKS.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
      await createDirectly(path, text, mode);
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Without hard links: create the file itself, and remove it again (it is ours: 'wx') if the write fails. */
async function createDirectly(path: string, text: string, mode: number): Promise<void> {
  try {
    await writeFile(path, text, { flag: 'wx', mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await unlink(path).catch(() => undefined);
    throw err;
  }
}
