// restoreSqlite's failures after the replaced database was copied aside tell the truth: when nothing was restored, the
// kept copy is removed again (the database is still where it was); when the new database is in place, the restore is
// reported done, with a warning for what could not be finished.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { readdirSync, readlinkSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { RestoreError, restoreSqlite } from '../src/index.ts';
import type { Config, SqliteRestore } from '../src/index.ts';
import { cannotSeeSyncs } from './helpers/fsync.ts';
import { holdsLaterRow, quiet, restoreDeployment } from './helpers/restore-deployment.ts';

const isTemp = (name: string) => /^\.vouch\.db\.restore-[0-9a-f]+\.tmp$/.test(name);

/**
 * Restores with the data directory's flush failing (EIO) once the copy has been renamed into place (a vouch.db in it,
 * no temporary file left); answers the restore and its warnings.
 */
async function restoreFailingFolderFlush(
  t: TestContext,
  config: Config,
  backup: string,
  opts: Parameters<typeof restoreSqlite>[2],
): Promise<{ done: SqliteRestore; warned: string[] }> {
  const probe = await fsp.open(backup, 'r');
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  const original = proto.sync;
  proto.sync = async function (this: { fd: number }) {
    const path = readlinkSync(`/proc/self/fd/${this.fd}`);
    const names = path === config.dataDir ? readdirSync(path) : [];
    if (names.includes('vouch.db') && !names.some(isTemp)) {
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    }
    return original.call(this);
  };
  t.after(() => void (proto.sync = original));
  const warned: string[] = [];
  try {
    const done = await restoreSqlite(config, backup, opts, {
      warn: (_: unknown, message: string) => void warned.push(message),
    });
    return { done, warned };
  } finally {
    proto.sync = original;
  }
}

test('when the old -shm file cannot be removed, nothing is restored and no kept copy is left', async (t) => {
  const { config, backup } = await restoreDeployment(t);
  const database = join(config.dataDir, 'vouch.db');
  const before = (await readdir(config.dataDir)).sort();
  await assert.rejects(
    restoreSqlite(
      config,
      backup,
      // A folder where the -shm file is: rm cannot remove it.
      { force: true, now: new Date(0), onLocked: () => mkdir(`${database}-shm`).then(() => undefined) },
      quiet,
    ),
    (err: unknown) =>
      err instanceof RestoreError &&
      err.code === 'TARGET_UNWRITABLE' &&
      /vouch\.db-shm/.test(err.message) &&
      /nothing was restored/.test(err.message),
  );
  await rm(`${database}-shm`, { recursive: true });
  assert.deepEqual(
    (await readdir(config.dataDir)).sort(),
    before.filter((n) => !n.endsWith('-shm')),
  );
  assert.ok(holdsLaterRow(database));
});

test('when the copy cannot be renamed into place, nothing is restored and no kept copy is left', async (t) => {
  const { config, backup } = await restoreDeployment(t);
  const database = join(config.dataDir, 'vouch.db');
  // The copy taken away from under the restore: the rename fails (ENOENT).
  const onLocked = async () => {
    for (const name of (await readdir(config.dataDir)).filter(isTemp)) await rm(join(config.dataDir, name));
  };
  await assert.rejects(
    restoreSqlite(config, backup, { force: true, now: new Date(0), onLocked }, quiet),
    (err: unknown) =>
      err instanceof RestoreError && err.code === 'TARGET_UNWRITABLE' && /nothing was restored/.test(err.message),
  );
  assert.deepEqual(
    (await readdir(config.dataDir)).filter((n) => n.includes('before-restore')),
    [],
  );
  assert.ok(holdsLaterRow(database));
});

test('a folder flush that fails after the rename reports the restore done, with a warning', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const { config, backup } = await restoreDeployment(t);
  const database = join(config.dataDir, 'vouch.db');
  const { done, warned } = await restoreFailingFolderFlush(t, config, backup, { force: true, now: new Date(0) });
  assert.equal(done.database, database);
  assert.equal(holdsLaterRow(database), false);
  assert.ok(done.previous !== null && holdsLaterRow(done.previous));
  assert.equal(warned.length, 1, warned.join('\n'));
  assert.match(warned[0]!, /restored, but .*could not be flushed to disk \(.*EIO.*bring back the replaced database/);
});

test('a restore into an empty place whose temporary name cannot be removed reports it done, with a warning', async (t) => {
  const { dir, backup } = await restoreDeployment(t);
  const { loadConfig } = await import('../src/index.ts');
  const config = loadConfig({ VOUCH_DATA_DIR: join(dir, 'fresh') });
  const realRm = fsp.rm;
  t.mock.method(fsp, 'rm', async (path: string, opts?: object) => {
    if (isTemp(path.split('/').at(-1)!) && (await readdir(config.dataDir)).includes('vouch.db')) {
      throw Object.assign(new Error('EIO: i/o error, unlink'), { code: 'EIO' });
    }
    return realRm(path, opts);
  });
  syncBuiltinESMExports();
  t.after(() => {
    t.mock.restoreAll();
    syncBuiltinESMExports();
  });
  const warned: string[] = [];
  const done = await restoreSqlite(
    config,
    backup,
    { force: false, now: new Date(0) },
    { warn: (_: unknown, message: string) => void warned.push(message) },
  );
  t.mock.restoreAll();
  syncBuiltinESMExports();
  assert.equal(done.previous, null);
  assert.equal(holdsLaterRow(done.database), false);
  const temps = (await readdir(config.dataDir)).filter(isTemp);
  assert.equal(temps.length, 1);
  assert.equal(warned.length, 1, warned.join('\n'));
  assert.match(warned[0]!, new RegExp(`${temps[0]!.replace(/\./g, '\\.')}.*remove it`));
});

test('a failed folder flush after a restore into an empty place warns of losing it, not of an old one', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const { dir, backup } = await restoreDeployment(t);
  const { loadConfig } = await import('../src/index.ts');
  const config = loadConfig({ VOUCH_DATA_DIR: join(dir, 'fresh') });
  await mkdir(config.dataDir);
  const { done, warned } = await restoreFailingFolderFlush(t, config, backup, { force: false, now: new Date(0) });
  assert.equal(done.previous, null);
  assert.equal(warned.length, 1, warned.join('\n'));
  assert.match(warned[0]!, /restored, but .*could not be flushed to disk \(.*EIO.*may lose the restored database/);
  assert.doesNotMatch(warned[0]!, /replaced/);
});
