// restoreSqlite creates the data directory (and the folders above it) when they are missing, as a server start would,
// but flushed only the data directory itself: the entry naming it in its parent was never flushed, so a crash of the
// machine soon after a restore onto a new machine reported done could lose the whole restored data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig, restoreSqlite } from '../src/index.ts';
import { quiet, restoreDeployment } from './helpers/restore-deployment.ts';
import { cannotSeeSyncs, recordingSyncs } from './helpers/fsync.ts';

test('a restore that creates the data directory flushes each folder it created in its parent', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const { dir, backup } = await restoreDeployment(t);
  const dataDir = join(dir, 'new', 'deeper', 'data');
  const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
  const syncs = await recordingSyncs(async () => {
    await restoreSqlite(config, backup, { force: false, now: new Date(0) }, quiet);
  });
  const flushed = (folder: string, name: string): boolean =>
    syncs.some((s) => s.path === folder && s.names.includes(name));
  assert.ok(flushed(dataDir, 'vouch.db'), JSON.stringify(syncs));
  assert.ok(flushed(join(dir, 'new', 'deeper'), 'data'), JSON.stringify(syncs));
  assert.ok(flushed(join(dir, 'new'), 'deeper'), JSON.stringify(syncs));
  assert.ok(flushed(dir, 'new'), JSON.stringify(syncs));
});
