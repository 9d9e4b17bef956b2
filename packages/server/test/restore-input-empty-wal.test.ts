// restoreSqlite refuses an input with commits in a -wal file beside it (restore-input-link-wal), and only then: an
// empty -wal file holds none. SQLite leaves one beside a WAL-mode database whose last checkpoint (TRUNCATE) moved
// every commit into the file while a connection still had it open, and the file alone is then the whole database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { restoreSqlite } from '../src/index.ts';
import { quiet, restoreDeployment } from './helpers/restore-deployment.ts';

test('an input with an empty -wal file beside it is restored, with every commit', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  // The input and its -wal file as they stand while a process has it open after a TRUNCATE checkpoint.
  const work = join(dir, 'work.db');
  await copyFile(backup, work);
  const input = join(dir, 'checkpointed.db');
  const writer = new BetterSqlite3(work);
  try {
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("insert into meta (key, value, created_at) values ('checkpointed', 'x', 3)").run();
    writer.pragma('wal_checkpoint(TRUNCATE)');
    await copyFile(work, input);
    await copyFile(`${work}-wal`, `${input}-wal`);
  } finally {
    writer.close();
  }
  assert.equal((await stat(`${input}-wal`)).size, 0, 'the -wal file beside the input is empty');

  const done = await restoreSqlite(config, input, { force: true, now: new Date(0) }, quiet);
  const db = new BetterSqlite3(done.database, { readonly: true, fileMustExist: true });
  try {
    assert.ok(db.prepare("select 1 from meta where key = 'checkpointed'").get() !== undefined);
    assert.equal(db.prepare("select 1 from meta where key = 'after-backup'").get(), undefined);
  } finally {
    db.close();
  }
});
