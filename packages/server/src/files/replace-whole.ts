// Files replaced as a whole (a registry file, a credential, the CLI's config.json): a reader sees the old text or the
// new, never a mix, and the new one is still there after a crash that follows the replacement.
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createTempName, releaseTempName } from './create-leftovers.ts';
import { syncFolder } from './sync.ts';

/**
 * Replaces `path` (or creates it) with `text`: written and flushed to a temporary file named as createFileWhole names
 * its own (`<path>.<process id><random>.tmp`, so clearCreateLeftovers tells a killed write's file from one at work),
 * renamed over `path`, then the folder flushed. The file ends with `mode` even when it replaces one of another mode.
 * A failed write leaves no temporary file; errors are the file system's, with their `code`.
 *
 * @example
 * await replaceFileWhole('registry/agent-trust.json', `${JSON.stringify(doc, null, 2)}\n`, 0o644);
 */
export async function replaceFileWhole(path: string, text: string, mode: number): Promise<void> {
  const temp = createTempName(path);
  try {
    await writeFile(temp, text, { flag: 'wx', mode, flush: true });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  } finally {
    releaseTempName(temp);
  }
  await syncFolder(dirname(path));
}
