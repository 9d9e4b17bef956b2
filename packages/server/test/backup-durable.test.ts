// backupSqlite promises an output that is whole or absent after a crash: the copy is flushed under its temporary name,
// renamed into place, and then the output's folder is flushed, or the rename (the backup's name) may not survive a
// crash of the machine even though the command reported it written. Nothing checked the folder's flush: dropping it
// from backup.ts left every backup test passing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { backupSqlite, loadConfig } from '../src/index.ts';
import { cannotSeeSyncs, recordingSyncs } from './helpers/fsync.ts';
import { kekBoundDataDir } from './helpers/restore-deployment.ts';

const NO_WARNINGS = { warn: (_: unknown, message: string) => assert.fail(`unexpected warning: ${message}`) };

test('backupSqlite flushes the copy, then the output folder once the copy is named as the output', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-durable-');
  const out = join(dir, 'out');
  await mkdir(out, { mode: 0o700 });
  const output = join(out, 'vouch.db');
  const syncs = await recordingSyncs(async () => {
    await backupSqlite(loadConfig({ VOUCH_DATA_DIR: dataDir }), output, { force: false }, NO_WARNINGS);
  });
  const copy = syncs.findIndex((s) => /\.vouch\.db\.backup-[0-9a-f]+\.tmp$/.test(s.path));
  const folder = syncs.findIndex((s) => s.path === out && s.names.includes('vouch.db'));
  assert.ok(copy >= 0, `the copy is flushed under its temporary name: ${JSON.stringify(syncs)}`);
  assert.ok(folder > copy, `then the folder, holding the output: ${JSON.stringify(syncs)}`);
});
