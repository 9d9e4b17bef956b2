// readSecretFile holds the API key file it read to the key-file rule by the stat of the file it has open, not by
// looking the path up again after the read: in between, the path may have been pointed at another file, so a key read
// from a file any user may write passed as one read from the owner's own file (and the other way round). The path's
// lookup is made to lie here (fs.promises.stat, synced into the ESM bindings) as a swapped path would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { readSecretFile } from '../src/secrets.ts';
import type { Io } from '../src/output.ts';
import { tempDir } from './helpers.ts';

const KEY = 'vouch_admin_FILE_READ_SECRET_0123456789';

/** While `fn` runs, a stat by the path `file` answers `mode` (a regular file's), whatever the file's mode is. */
async function pathSays<T>(file: string, mode: number, fn: () => Promise<T>): Promise<T> {
  const real = fs.promises.stat;
  fs.promises.stat = (async (path: fs.PathLike, opts?: fs.StatOptions) => {
    const st = (await real(path, opts)) as fs.Stats;
    if (path === file) st.mode = 0o100000 | mode;
    return st;
  }) as typeof fs.promises.stat;
  syncBuiltinESMExports();
  try {
    return await fn();
  } finally {
    fs.promises.stat = real;
    syncBuiltinESMExports();
  }
}

test(
  'the mode checked is that of the file read, not of what the path names afterwards',
  {
    skip: process.platform === 'win32',
  },
  async (t) => {
    const dir = await tempDir(t, 'vouch-secret-read-');
    const file = join(dir, 'admin.key');
    await writeFile(file, `${KEY}\n`);
    let err = '';
    const io: Io = { out: () => undefined, err: (text) => void (err += `${text}\n`) };

    // Read from a file any user may write, while the path looks like the owner's own file: refused.
    await chmod(file, 0o666);
    await assert.rejects(
      pathSays(file, 0o600, () => readSecretFile(file, '--admin-key-file', io)),
      (e: Error & { exitCode?: number }) =>
        e.exitCode === 2 && e.message.includes(`${file} can be written by any user (mode 0666)`),
    );

    // Read from the owner's own file, while the path looks group-readable: used, and no warning.
    await chmod(file, 0o600);
    assert.equal(await pathSays(file, 0o640, () => readSecretFile(file, '--admin-key-file', io)), KEY);
    assert.equal(err, '');
    // Group-readable as read: the warning names the file and its mode.
    await chmod(file, 0o640);
    assert.equal(await pathSays(file, 0o600, () => readSecretFile(file, '--admin-key-file', io)), KEY);
    assert.match(err, new RegExp(`^vouch: warning: key file ${file} can be read by other users \\(mode 0640\\)`));
  },
);
