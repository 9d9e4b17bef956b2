// restoreSqlite refuses an input with commits still in a -wal file beside it, also when the input is a symbolic link:
// SQLite keeps a database's -wal file beside the file the link names, and the copy would silently leave them out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { backupSqlite, loadConfig, RestoreError, restoreSqlite } from '../src/index.ts';
import { kekBoundDataDir, quiet } from './helpers/restore-deployment.ts';

test('an input that is a link to a database with commits in its -wal file is refused', async (t) => {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-restore-link-wal-');
  const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
  const old = join(dir, 'old');
  await mkdir(old, { mode: 0o700 });
  const copy = join(old, 'vouch.db');
  await backupSqlite(config, copy, { force: false }, quiet);
  // A process that stopped without a checkpoint: its last commit only in vouch.db-wal beside the file.
  const writer = new BetterSqlite3(copy);
  writer.pragma('journal_mode = WAL');
  writer.pragma('wal_autocheckpoint = 0');
  writer.prepare("insert into meta (key, value, created_at) values ('in-wal', 'x', 3)").run();
  const input = join(dir, 'latest.db');
  await symlink(copy, input);
  const names = (await readdir(dataDir)).sort();
  const database = await readFile(join(dataDir, 'vouch.db'));
  try {
    assert.ok((await readdir(old)).includes('vouch.db-wal'));
    await assert.rejects(
      restoreSqlite(config, input, { force: true, now: new Date(0) }, quiet),
      (err: unknown) =>
        err instanceof RestoreError && err.code === 'INPUT_INVALID' && /has a -wal file beside it/.test(err.message),
    );
  } finally {
    writer.close();
  }
  assert.deepEqual((await readdir(dataDir)).sort(), names);
  assert.ok(database.equals(await readFile(join(dataDir, 'vouch.db'))));
});
