// The key files a first start creates in the data folder (kek.key, admin.key) are written whole and flushed, then
// linked into place, and the folder itself is flushed after the link: without that a power loss can forget the new
// name while the database already holds keys sealed under it. What a test can see is that fsync reaches the folder
// after the name exists, and that the file is whole; that the disk keeps it across a power loss it cannot prove.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/start.ts';
import { cannotSeeSyncs, recordingSyncs } from './helpers/fsync.ts';

test('a first start flushes the data folder after kek.key and admin.key are linked into it, and both are whole', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const dir = await mkdtemp(join(tmpdir(), 'vouch-durable-'));
  const dataDir = join(dir, 'data');
  // Every fsync through a FileHandle, with which names the data folder held at that moment.
  const synced = await recordingSyncs(async () => {
    const server = await startServer(
      loadConfig({
        VOUCH_PORT: '0',
        VOUCH_PUBLIC_URL: 'http://vouch.test',
        VOUCH_LOG_LEVEL: 'silent',
        VOUCH_DATA_DIR: dataDir,
      }),
    );
    await server.close();
  });
  try {
    for (const name of ['kek.key', 'admin.key']) {
      assert.ok(
        synced.some((s) => s.path === dataDir && s.names.includes(name)),
        `the data folder was flushed after ${name} was linked into it`,
      );
      assert.equal(statSync(join(dataDir, name)).mode & 0o777, 0o600);
    }
    assert.match(await readFile(join(dataDir, 'kek.key'), 'utf8'), /^[0-9a-f]{64}\n$/);
    assert.match(await readFile(join(dataDir, 'admin.key'), 'utf8'), /^vouch_admin_[A-Za-z0-9_-]{43}\n$/);
    assert.deepEqual(
      readdirSync(dataDir).filter((n) => n.endsWith('.tmp')),
      [],
      'no temporary file is left behind',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
