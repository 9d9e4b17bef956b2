// The database a restore replaces may hold commits in its -wal file only (a server that stopped without a checkpoint:
// killed, or a machine that lost power). The restore removes that -wal file before it puts the backup in place, so it
// must first bring those commits into the database (a checkpoint, under its lock): else the kept copy
// `vouch.db.before-restore-<time>`, the only copy of the replaced database, silently lacks them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { restoreSqlite } from '../src/index.ts';
import {
  copyWithWalCommit,
  holdsLaterRow,
  holdsMetaKey,
  quiet,
  restoreDeployment,
} from './helpers/restore-deployment.ts';

test('the kept copy of the replaced database holds the commits that were only in its -wal file', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  const database = join(config.dataDir, 'vouch.db');
  // What a server killed without a checkpoint leaves.
  await copyWithWalCommit(dir, database, database, 'only-in-wal');
  assert.ok((await stat(`${database}-wal`)).size > 0, 'the commit is in the -wal file');

  const done = await restoreSqlite(config, backup, { force: true, now: new Date(0) }, quiet);
  assert.ok(done.previous !== null);
  assert.ok(holdsMetaKey(done.previous, 'only-in-wal'));
  assert.ok(holdsLaterRow(done.previous));
  // The restored database has no -wal file of the replaced one beside it.
  assert.ok(!(await readdir(config.dataDir)).includes('vouch.db-wal'));
  assert.ok(!holdsLaterRow(database));
});
