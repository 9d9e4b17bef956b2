// The copy a restore keeps of the database it replaces is named by the restore's time, to the millisecond
// (`vouch.db.before-restore-<time>`). A second restore at the same moment (or with a clock stepped back) finds that
// name taken by the first one's copy, which may be the only copy of the database the first replaced: it refuses,
// replacing neither that copy nor the database in place, and leaves no temporary file behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { RestoreError, restoreSqlite } from '../src/index.ts';
import { holdsLaterRow, quiet, restoreDeployment } from './helpers/restore-deployment.ts';

function hasMeta(file: string, key: string): boolean {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('select 1 from meta where key = ?').get(key) !== undefined;
  } finally {
    db.close();
  }
}

test('a restore whose kept copy would take the name of an earlier one refuses and changes nothing', async (t) => {
  const { config, backup } = await restoreDeployment(t);
  const database = join(config.dataDir, 'vouch.db');
  const now = new Date(Date.UTC(2026, 0, 31, 10));
  const first = await restoreSqlite(config, backup, { force: true, now }, quiet);
  const kept = join(config.dataDir, 'vouch.db.before-restore-2026-01-31T10-00-00-000Z');
  assert.equal(first.previous, kept);
  assert.ok(holdsLaterRow(kept), 'the first kept copy is the database the first restore replaced');
  {
    const db = new BetterSqlite3(database);
    db.prepare("insert into meta (key, value, created_at) values ('after-first-restore', 'x', 3)").run();
    db.close();
  }
  const before = (await readdir(config.dataDir)).sort();

  await assert.rejects(restoreSqlite(config, backup, { force: true, now }, quiet), (err: unknown) => {
    assert.ok(err instanceof RestoreError, String(err));
    assert.equal(err.code, 'TARGET_UNWRITABLE');
    assert.match(err.message, /Cannot keep the replaced database as .*before-restore-2026-01-31T10-00-00-000Z/);
    return true;
  });
  assert.ok(holdsLaterRow(kept), 'the first kept copy is as it was');
  assert.ok(hasMeta(database, 'after-first-restore'), 'the database is as it was');
  assert.deepEqual((await readdir(config.dataDir)).sort(), before);
});
