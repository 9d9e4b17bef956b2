// backupSqlite refuses an output that is the database or one of its -wal, -journal and -shm files, also when vouch.db is
// a symbolic link: the file it names (and SQLite's companions beside that file) is the live database, and a --force
// backup renamed over it would put a copy in place of the database a server is writing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError, backupSqlite, loadConfig } from '../src/index.ts';
import { kekBoundDataDir, quiet } from './helpers/restore-deployment.ts';

test('a backup onto the file a linked vouch.db names, or its companions, is refused and writes nothing', async (t) => {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-linked-');
  const disk = join(dir, 'disk');
  await mkdir(disk, { mode: 0o700 });
  const real = join(disk, 'real.db');
  await rename(join(dataDir, 'vouch.db'), real);
  await symlink(real, join(dataDir, 'vouch.db'));
  const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
  const before = await readFile(real);

  for (const output of [real, `${real}-wal`]) {
    await assert.rejects(
      backupSqlite(config, output, { force: true }, quiet),
      (err: unknown) => err instanceof BackupError && err.code === 'OUTPUT_INVALID',
      output,
    );
  }
  assert.ok(before.equals(await readFile(real)));
});
