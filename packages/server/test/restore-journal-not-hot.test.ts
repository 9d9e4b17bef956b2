// A -journal file is refused beside the input and beside an absent vouch.db only when it is hot, as SQLite reads it
// (restore.ts hotJournal): not empty, and its header not zeroed. A database in journal_mode = PERSIST keeps its
// journal after each transaction with the header zeroed and the old pages still in it, and journal_mode = TRUNCATE
// leaves an empty one: neither holds a transaction to play back, so neither stops a restore. Hot journals are
// refused in restore-input-journal and restore-empty-place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { loadConfig, restoreSqlite } from '../src/index.ts';
import { holdsLaterRow, quiet, restoreDeployment } from './helpers/restore-deployment.ts';

/** A copy of `backup` at `file` left with the journal `mode` keeps after a committed transaction. */
async function journalled(backup: string, file: string, mode: 'PERSIST' | 'TRUNCATE'): Promise<Buffer> {
  await copyFile(backup, file);
  const db = new BetterSqlite3(file);
  try {
    db.pragma(`journal_mode = ${mode}`);
    db.pragma('cache_size = 1');
    const insert = db.prepare('insert into meta (key, value, created_at) values (?, ?, 4)');
    db.transaction(() => {
      for (let i = 0; i < 50; i += 1) insert.run(`${mode}-${i}`, 'y'.repeat(500));
    })();
  } finally {
    db.close();
  }
  return readFile(`${file}-journal`);
}

test('an input beside a PERSIST journal (header zeroed) or an empty journal is restored', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  for (const mode of ['PERSIST', 'TRUNCATE'] as const) {
    const input = join(dir, `${mode}.db`);
    const journal = await journalled(backup, input, mode);
    if (mode === 'PERSIST') {
      assert.ok(journal.length > 100 && journal.subarray(0, 28).every((b) => b === 0), 'a zeroed header');
      assert.ok(
        journal.some((b) => b !== 0),
        'old pages after it',
      );
    } else {
      assert.equal(journal.length, 0);
    }
    const done = await restoreSqlite(config, input, { force: true, now: new Date(mode.length) }, quiet);
    const db = new BetterSqlite3(done.database, { readonly: true, fileMustExist: true });
    try {
      assert.ok(db.prepare('select 1 from meta where key = ?').get(`${mode}-49`) !== undefined, mode);
    } finally {
      db.close();
    }
  }
});

test('beside an absent vouch.db, a PERSIST journal or an empty one is removed and the backup restored', async (t) => {
  const { dir, backup } = await restoreDeployment(t);
  for (const mode of ['PERSIST', 'TRUNCATE'] as const) {
    const dataDir = join(dir, `fresh-${mode}`);
    await mkdir(dataDir, { mode: 0o700 });
    // A database moved away without the journal its last transaction left.
    const moved = join(dir, `moved-${mode}.db`);
    await journalled(backup, moved, mode);
    await copyFile(`${moved}-journal`, join(dataDir, 'vouch.db-journal'));
    const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
    const done = await restoreSqlite(config, backup, { force: false, now: new Date(0) }, quiet);
    assert.equal(done.previous, null, mode);
    assert.deepEqual(await readdir(dataDir), ['vouch.db'], mode);
    assert.equal(holdsLaterRow(done.database), false, mode);
  }
});
