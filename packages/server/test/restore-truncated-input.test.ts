// restoreSqlite refuses a backup that lost its last bytes (a copy or download cut short): SQLite reads the missing
// end of the last page as zeros, which its integrity check may pass while a row there has changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { restoreSqlite } from '../src/index.ts';
import { holdsLaterRow, quiet, restoreDeployment } from './helpers/restore-deployment.ts';

/** The length of each `tail-*` value in meta of `file`, after SQLite's integrity check of it. */
function tailsOf(file: string): { check: unknown; lengths: number[] } {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("select length(value) as n from meta where key like 'tail-%' order by key").all();
    return { check: db.pragma('integrity_check', { simple: true }), lengths: rows.map((r) => (r as { n: number }).n) };
  } finally {
    db.close();
  }
}

test('a backup cut short inside its last page is refused, though SQLite finds nothing wrong with it', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  {
    // Rows that fill pages added at the end of the file: its last bytes are the end of one of them.
    const db = new BetterSqlite3(backup);
    const insert = db.prepare('insert into meta (key, value, created_at) values (?, ?, 3)');
    for (let i = 10; i < 30; i += 1) insert.run(`tail-${i}`, 'v'.repeat(500));
    db.close();
  }
  const whole = await readFile(backup);
  const cut = join(dir, 'cut.db');
  await writeFile(cut, whole.subarray(0, whole.length - 16), { mode: 0o600 });
  const damaged = tailsOf(cut);
  assert.equal(damaged.check, 'ok', 'SQLite reads the missing bytes as zeros');
  assert.notDeepEqual(damaged.lengths, tailsOf(backup).lengths, 'a row read from the cut copy has changed');

  const database = join(config.dataDir, 'vouch.db');
  const before = (await readdir(config.dataDir)).sort();
  await assert.rejects(restoreSqlite(config, cut, { force: true, now: new Date(0) }, quiet), (err: Error) => {
    assert.equal((err as { code?: unknown }).code, 'INPUT_INVALID');
    assert.match(err.message, /cut\.db is truncated \(\d+ bytes, where its \d+ pages of \d+ bytes take \d+\)/);
    return true;
  });
  assert.deepEqual((await readdir(config.dataDir)).sort(), before);
  assert.ok(holdsLaterRow(database), 'the database is as it was');

  // The whole file is restored.
  const done = await restoreSqlite(config, backup, { force: true, now: new Date(0) }, quiet);
  assert.equal(done.bytes, whole.length);
  assert.deepEqual(tailsOf(database).lengths, Array(20).fill(500));
});
