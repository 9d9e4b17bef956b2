// restoreSqlite's moves, seen from outside: a process that opened the old database just before it was replaced (and
// waited for the restore's lock) cannot read it afterwards, and every step is on disk before the next one depends on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { restoreSqlite } from '../src/index.ts';
import { quiet, restoreDeployment } from './helpers/restore-deployment.ts';
import { cannotSeeSyncs, recordingSyncs } from './helpers/fsync.ts';

const SERVER_PACKAGE = new URL('..', import.meta.url).pathname;
test('a process that opened the database just before the restore replaced it cannot read the old one', async (t) => {
  const { config, backup } = await restoreDeployment(t);
  const database = join(config.dataDir, 'vouch.db');
  // Opens the file (SQLite opens it at once) before the restore, and reads once told to: while the restore holds its
  // lock (the read waits for it) or after, the handle is on the file the restore replaced.
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(database)});
    db.pragma('busy_timeout = 20000');
    console.log('opened');
    process.stdin.once('data', () => {
      try {
        const row = db.prepare("select count(*) as n from meta where key = 'after-backup'").get();
        console.log('read ' + row.n);
      } catch (err) {
        console.log('refused ' + err.code);
      }
      process.exit(0);
    });`;
  const child = spawn(process.execPath, ['-e', script], { cwd: SERVER_PACKAGE, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  while (!out.includes('opened')) await new Promise((resolve) => child.stdout.once('data', resolve));
  const done = await restoreSqlite(
    config,
    backup,
    { force: true, now: new Date(Date.UTC(2026, 0, 31, 10)), onLocked: async () => void child.stdin.write('go\n') },
    quiet,
  );
  await exited;
  assert.equal(out.trim().split('\n').at(-1), 'refused SQLITE_NOTADB');
  assert.equal(done.previous, `${database}.before-restore-2026-01-31T10-00-00-000Z`);
  // The restored database has no -wal file beside it that the waiting process could have written.
  assert.deepEqual((await readdir(config.dataDir)).sort(), ['kek.key', 'vouch.db', basename(done.previous!)]);
  const restored = new BetterSqlite3(database, { readonly: true });
  assert.equal(restored.prepare("select 1 from meta where key = 'after-backup'").get(), undefined);
  restored.close();
});

test('restoreSqlite flushes both copies, then the kept copy rename and the old -wal removal, then the rename', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const { config, backup } = await restoreDeployment(t);
  const database = join(config.dataDir, 'vouch.db');
  // A -wal file left by a server that stopped uncleanly: the restore must never leave it beside the new database.
  const open = new BetterSqlite3(database);
  open.pragma('journal_mode = WAL');
  open.prepare("insert into meta (key, value, created_at) values ('in-wal', 'x', 3)").run();
  const walBefore = (await readdir(config.dataDir)).includes('vouch.db-wal');
  assert.ok(walBefore, 'the test holds commits in a -wal file');
  open.close();
  let done: Awaited<ReturnType<typeof restoreSqlite>> | undefined;
  const syncs = await recordingSyncs(async () => {
    done = await restoreSqlite(config, backup, { force: true, now: new Date(0) }, quiet);
  });
  const kept = basename(done!.previous!);
  const tempSync = syncs.findIndex((s) => /\.vouch\.db\.restore-[0-9a-f]+\.tmp$/.test(s.path));
  // The kept copy is flushed under its temporary name, before it is renamed to its own.
  const keptSync = syncs.findIndex((s) => /\.vouch\.db\.restore-[0-9a-f]+\.kept\.tmp$/.test(s.path));
  const folderSyncs = syncs.map((s, i) => ({ ...s, i })).filter((s) => s.path === config.dataDir);
  assert.ok(tempSync >= 0 && keptSync >= 0 && folderSyncs.length === 2, JSON.stringify(syncs));
  const [cleared, renamed] = folderSyncs;
  assert.ok(tempSync < cleared!.i && keptSync < cleared!.i);
  // First flushed: the old database without its companions, the copy not yet in place.
  assert.ok(!cleared!.names.some((n) => /-(wal|shm|journal)$/.test(n)), cleared!.names.join());
  assert.ok(cleared!.names.includes(kept) && cleared!.names.some((n) => n.endsWith('.tmp')));
  assert.ok(!cleared!.names.some((n) => n.endsWith('.kept.tmp')), cleared!.names.join());
  // Then: the copy in place of the database.
  assert.deepEqual(renamed!.names.sort(), ['kek.key', kept, 'vouch.db'].sort());
  // The kept copy holds the commit that was only in the -wal file.
  const keptDb = new BetterSqlite3(done!.previous!, { readonly: true });
  assert.ok(keptDb.prepare("select 1 from meta where key = 'in-wal'").get() !== undefined);
  keptDb.close();
});
