// restoreSqlite refuses an input with commits in a -wal file beside it (restore-input-link-wal), and only then: an
// empty -wal file holds none. SQLite leaves one beside a WAL-mode database whose last checkpoint (TRUNCATE) moved
// every commit into the file while a connection still had it open, and the file alone is then the whole database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { restoreSqlite } from '../src/index.ts';
import {
  copyWithWalCommit,
  holdsLaterRow,
  holdsMetaKey,
  quiet,
  restoreDeployment,
} from './helpers/restore-deployment.ts';

test('an input with an empty -wal file beside it is restored, with every commit', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  // The input and its -wal file as they stand while a process has it open after a TRUNCATE checkpoint.
  const input = join(dir, 'checkpointed.db');
  await copyWithWalCommit(dir, backup, input, 'checkpointed', true);
  assert.equal((await stat(`${input}-wal`)).size, 0, 'the -wal file beside the input is empty');

  const done = await restoreSqlite(config, input, { force: true, now: new Date(0) }, quiet);
  assert.ok(holdsMetaKey(done.database, 'checkpointed'));
  assert.ok(!holdsLaterRow(done.database));
});
