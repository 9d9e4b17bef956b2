// restoreSqlite into an empty place (no vouch.db) removes what is left beside it only once the restored file is in
// place and locked: a server creating vouch.db at that moment keeps its -wal file and the restore says nothing
// changed; and commits left beside an absent database (a -wal file, a hot -journal) are refused, not deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { loadConfig, RestoreError, restoreSqlite } from '../src/index.ts';
import { holdsLaterRow, quiet, restoreDeployment } from './helpers/restore-deployment.ts';

test('a server that creates vouch.db while the restore is under way keeps its -wal file', async (t) => {
  const { dir, backup } = await restoreDeployment(t);
  const dataDir = join(dir, 'fresh');
  await mkdir(dataDir, { mode: 0o700 });
  const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
  const database = join(dataDir, 'vouch.db');
  let server: BetterSqlite3.Database | undefined;
  t.after(() => server?.close());
  // Another process creating the database, in WAL mode, with a commit only in its -wal file, after the restore found
  // no database there.
  const onLocked = async () => {
    server = new BetterSqlite3(database);
    server.pragma('journal_mode = WAL');
    server.pragma('wal_autocheckpoint = 0');
    server.exec("create table live (v text); insert into live values ('in-wal')");
  };
  await assert.rejects(
    restoreSqlite(config, backup, { force: false, now: new Date(0), onLocked }, quiet),
    (err: unknown) =>
      err instanceof RestoreError && err.code === 'TARGET_EXISTS' && /nothing was changed/.test(err.message),
  );
  assert.ok(server !== undefined, 'the restore let the other process in');
  assert.ok((await readFile(`${database}-wal`)).length > 0);
  const reader = new BetterSqlite3(database, { readonly: true });
  assert.deepEqual(reader.prepare('select v from live').all(), [{ v: 'in-wal' }]);
  reader.close();
});

test('commits left beside an absent vouch.db are refused, not deleted', async (t) => {
  const { dir, backup } = await restoreDeployment(t);
  for (const [companion, content] of [
    ['vouch.db-wal', Buffer.from('frames of a database moved away')],
    ['vouch.db-journal', Buffer.from('a hot journal of a database moved away')],
  ] as const) {
    const dataDir = join(dir, `fresh-${companion}`);
    await mkdir(dataDir, { mode: 0o700 });
    await writeFile(join(dataDir, companion), content);
    const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
    await assert.rejects(
      restoreSqlite(config, backup, { force: true, now: new Date(0) }, quiet),
      (err: unknown) =>
        err instanceof RestoreError &&
        err.code === 'TARGET_EXISTS' &&
        new RegExp(`${companion}.*move it away`).test(err.message),
      companion,
    );
    assert.deepEqual(await readdir(dataDir), [companion]);
    assert.ok(content.equals(await readFile(join(dataDir, companion))));
  }
});

test('an empty -wal and a -shm file left beside an absent vouch.db are removed, the backup restored', async (t) => {
  const { dir, backup } = await restoreDeployment(t);
  const dataDir = join(dir, 'fresh');
  await mkdir(dataDir, { mode: 0o700 });
  await writeFile(join(dataDir, 'vouch.db-wal'), '');
  await writeFile(join(dataDir, 'vouch.db-shm'), Buffer.alloc(32768));
  const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
  const done = await restoreSqlite(config, backup, { force: false, now: new Date(0) }, quiet);
  assert.equal(done.previous, null);
  assert.deepEqual(await readdir(dataDir), ['vouch.db']);
  assert.equal(holdsLaterRow(done.database), false);
});

test('a backup in WAL mode restored into an empty place leaves nothing but the database', async (t) => {
  const { dir, backup } = await restoreDeployment(t);
  const wal = join(dir, 'wal-mode.db');
  await copyFile(backup, wal);
  const db = new BetterSqlite3(wal);
  db.pragma('journal_mode = WAL');
  db.close();
  const config = loadConfig({ VOUCH_DATA_DIR: join(dir, 'fresh') });
  const done = await restoreSqlite(config, wal, { force: false, now: new Date(0) }, quiet);
  assert.deepEqual(await readdir(config.dataDir), ['vouch.db']);
  assert.equal(holdsLaterRow(done.database), false);
});
