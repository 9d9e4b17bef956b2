// restoreSqlite refuses an input with a hot -journal file beside it (a rollback-mode database whose writer stopped in
// the middle of a transaction): the file alone holds half a transaction, which SQLite would roll back from that
// journal, and a copy without it would keep. Beside the input as named and beside the file a symbolic link names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { RestoreError, restoreSqlite } from '../src/index.ts';
import { quiet, restoreDeployment } from './helpers/restore-deployment.ts';

/** Copies `backup` to `file` and leaves a hot journal beside it: the copy taken in the middle of a transaction. */
async function crashedCopy(backup: string, file: string): Promise<void> {
  const work = `${file}.work`;
  await copyFile(backup, work);
  const db = new BetterSqlite3(work);
  db.pragma('journal_mode = DELETE');
  db.pragma('cache_size = 1');
  db.exec('begin');
  // More than the cache holds: SQLite writes changed pages into the file itself, their old content in the journal.
  const insert = db.prepare('insert into meta (key, value, created_at) values (?, ?, 4)');
  for (let i = 0; i < 200; i += 1) insert.run(`half-${i}`, 'y'.repeat(500));
  await copyFile(work, file);
  await copyFile(`${work}-journal`, `${file}-journal`);
  db.exec('rollback');
  db.close();
}

test('an input with a hot -journal beside it, or beside the file its link names, is refused', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  const names = (await readdir(config.dataDir)).sort();
  const database = await readFile(join(config.dataDir, 'vouch.db'));
  const crashed = join(dir, 'crashed.db');
  await crashedCopy(backup, crashed);
  assert.ok((await stat(`${crashed}-journal`)).size > 0);
  const elsewhere = join(dir, 'elsewhere');
  await mkdir(elsewhere);
  const linked = join(elsewhere, 'latest.db');
  await symlink(crashed, linked);

  for (const input of [crashed, linked]) {
    await assert.rejects(
      restoreSqlite(config, input, { force: true, now: new Date(0) }, quiet),
      (err: unknown) =>
        err instanceof RestoreError &&
        err.code === 'INPUT_INVALID' &&
        /has a -journal file beside it: .*interrupted/.test(err.message),
      input,
    );
    assert.deepEqual((await readdir(config.dataDir)).sort(), names);
    assert.ok(database.equals(await readFile(join(config.dataDir, 'vouch.db'))));
  }
});
