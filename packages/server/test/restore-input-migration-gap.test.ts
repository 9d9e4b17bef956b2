// restoreSqlite refuses a backup whose applied migrations are not the first ones this version knows, in order (one
// missing between two applied ones: no Vouch version leaves that). A server start could not bring such a database up
// to date (migrate.ts refuses the gap), so restoring it would replace a working database with one no server starts on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { restoreSqlite } from '../src/index.ts';
import { MIGRATIONS, openStorage } from '../src/storage/index.ts';
import { holdsLaterRow, quiet, restoreDeployment } from './helpers/restore-deployment.ts';

test('a backup with a migration missing between applied ones is refused, and the database is left as it was', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  const [missing] = MIGRATIONS[5]!;
  const gap = join(dir, 'gap.db');
  await copyFile(backup, gap);
  {
    const db = new BetterSqlite3(gap);
    assert.equal(db.prepare('delete from vouch_migration where name = ?').run(missing).changes, 1);
    db.close();
  }
  // What a server would meet on it: a start that cannot migrate.
  const elsewhere = join(dir, 'elsewhere');
  await mkdir(elsewhere);
  await copyFile(gap, join(elsewhere, 'vouch.db'));
  await assert.rejects(openStorage({ dataDir: elsewhere }), { code: 'MIGRATION_FAILED' });

  const database = join(config.dataDir, 'vouch.db');
  const before = (await readdir(config.dataDir)).sort();
  await assert.rejects(restoreSqlite(config, gap, { force: true, now: new Date(0) }, quiet), (err: Error) => {
    assert.equal((err as { code?: unknown }).code, 'INPUT_INVALID');
    assert.match(err.message, /gap\.db has migrations this version cannot continue from \(0001_foundation, /);
    assert.doesNotMatch(err.message, new RegExp(`${missing}\\b`));
    assert.match(err.message, /nothing was changed\.$/);
    return true;
  });
  assert.deepEqual((await readdir(config.dataDir)).sort(), before);
  assert.ok(holdsLaterRow(database), 'the database is as it was');
});
