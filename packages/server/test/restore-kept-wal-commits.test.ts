// The database a restore replaces may hold commits in its -wal file only (a server that stopped without a checkpoint:
// killed, or a machine that lost power). The restore removes that -wal file before it puts the backup in place, so it
// must first bring those commits into the database (a checkpoint, under its lock): else the kept copy
// `vouch.db.before-restore-<time>`, the only copy of the replaced database, silently lacks them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { restoreSqlite } from '../src/index.ts';
import { holdsLaterRow, quiet, restoreDeployment } from './helpers/restore-deployment.ts';

test('the kept copy of the replaced database holds the commits that were only in its -wal file', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  const database = join(config.dataDir, 'vouch.db');
  // What a server killed without a checkpoint leaves: the files as they stand while its connection is open, copied
  // into the data directory, with no process holding them.
  const work = join(dir, 'work.db');
  await copyFile(database, work);
  const writer = new BetterSqlite3(work);
  try {
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("insert into meta (key, value, created_at) values ('only-in-wal', 'x', 3)").run();
    await copyFile(work, database);
    await copyFile(`${work}-wal`, `${database}-wal`);
  } finally {
    writer.close();
  }
  assert.ok((await stat(`${database}-wal`)).size > 0, 'the commit is in the -wal file');

  const done = await restoreSqlite(config, backup, { force: true, now: new Date(0) }, quiet);
  assert.ok(done.previous !== null);
  const kept = new BetterSqlite3(done.previous, { readonly: true, fileMustExist: true });
  try {
    assert.ok(kept.prepare("select 1 from meta where key = 'only-in-wal'").get() !== undefined);
  } finally {
    kept.close();
  }
  assert.ok(holdsLaterRow(done.previous));
  // The restored database has no -wal file of the replaced one beside it.
  assert.ok(!(await readdir(config.dataDir)).includes('vouch.db-wal'));
  assert.ok(!holdsLaterRow(database));
});
