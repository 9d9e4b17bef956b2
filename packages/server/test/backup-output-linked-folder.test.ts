// backupSqlite refuses an output that is the database or a key file under any name, including one through a linked
// folder (`--output /srv/alias/vouch.db` where /srv/alias links to the data directory): there a --force backup would
// be renamed over the live database or the KEK. No test named an output that way, so comparing only the name as given
// (dropping the folder-resolved name) left every backup test passing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError, backupSqlite, loadConfig } from '../src/index.ts';
import { kekBoundDataDir, quiet } from './helpers/restore-deployment.ts';

test('a backup onto the database or a key file named through a linked folder is refused', async (t) => {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-linked-folder-');
  await writeFile(join(dataDir, 'admin.key'), 'vouch_admin_test\n', { mode: 0o600 });
  const alias = join(dir, 'alias');
  await symlink(dataDir, alias);
  const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
  const names = ['vouch.db', 'vouch.db-wal', 'kek.key', 'admin.key'];
  const before = await Promise.all(['vouch.db', 'kek.key', 'admin.key'].map((n) => readFile(join(dataDir, n))));
  const listed = await readdir(dataDir);

  for (const name of names) {
    await assert.rejects(
      backupSqlite(config, join(alias, name), { force: true }, quiet),
      (err: unknown) =>
        err instanceof BackupError &&
        err.code === 'OUTPUT_INVALID' &&
        (name.startsWith('vouch.db') ? /is the database itself/ : /key file/).test(err.message),
      name,
    );
  }
  const after = await Promise.all(['vouch.db', 'kek.key', 'admin.key'].map((n) => readFile(join(dataDir, n))));
  assert.deepEqual(after, before);
  assert.deepEqual(await readdir(dataDir), listed);
});
