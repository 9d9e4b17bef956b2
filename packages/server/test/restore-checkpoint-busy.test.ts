// restoreSqlite brings the replaced database's -wal file into it (wal_checkpoint(TRUNCATE), under its exclusive lock)
// before it copies it aside and removes that -wal file. A checkpoint that answers `busy` has not finished: the
// commits still only in the -wal file would be missing from the kept copy and then deleted, so the restore stops
// there (RESTORE_FAILED), nothing changed. Under the restore's exclusive lock no other connection can make SQLite
// answer `busy`, so that answer is stood in for here: the checkpoint is not run and its row says busy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { RestoreError, restoreSqlite } from '../src/index.ts';
import {
  copyWithWalCommit,
  holdsLaterRow,
  holdsMetaKey,
  quiet,
  restoreDeployment,
} from './helpers/restore-deployment.ts';

test('a checkpoint of the replaced database that answers busy stops the restore; nothing is changed', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  const database = join(config.dataDir, 'vouch.db');
  // A server killed without a checkpoint: its last commit only in vouch.db-wal.
  await copyWithWalCommit(dir, database, database, 'only-in-wal');
  assert.ok((await stat(`${database}-wal`)).size > 0, 'the commit is in the -wal file');
  const names = (await readdir(config.dataDir)).sort();

  const pragma = BetterSqlite3.prototype.pragma;
  const checkpoints: string[] = [];
  // Once the lock is held: the restore's checkpoint answers busy, having moved nothing.
  const onLocked = async () => {
    t.mock.method(
      BetterSqlite3.prototype,
      'pragma',
      function (this: BetterSqlite3.Database, source: string, options?: BetterSqlite3.PragmaOptions) {
        if (/^wal_checkpoint/i.test(source)) {
          checkpoints.push(source);
          return [{ busy: 1, log: 1, checkpointed: 0 }];
        }
        return pragma.call(this, source, options);
      },
    );
  };
  try {
    await assert.rejects(
      restoreSqlite(config, backup, { force: true, now: new Date(0), onLocked }, quiet),
      (err: unknown) =>
        err instanceof RestoreError &&
        err.code === 'RESTORE_FAILED' &&
        /Cannot bring .*vouch\.db-wal into .*vouch\.db \(the checkpoint could not finish\)/.test(err.message),
    );
  } finally {
    t.mock.restoreAll();
  }
  assert.deepEqual(checkpoints, ['wal_checkpoint(TRUNCATE)']);
  // No kept copy, nothing renamed: the database there is the one replaced, its commits all readable.
  const after = (await readdir(config.dataDir)).sort();
  assert.ok(!after.some((name) => name.includes('before-restore') || name.endsWith('.tmp')), after.join(' '));
  assert.deepEqual(
    after.filter((name) => name !== 'vouch.db-wal' && name !== 'vouch.db-shm'),
    names.filter((name) => name !== 'vouch.db-wal' && name !== 'vouch.db-shm'),
  );
  assert.ok(holdsLaterRow(database));
  assert.ok(holdsMetaKey(database, 'only-in-wal'));
});
