// `vouch backup` run by a user who may read the SQLite database but not write its folder (a backup account, say):
// VACUUM INTO only reads the database, but SQLite reads a WAL database through its -shm file, which it must create
// when absent. So such a user's backup works while a server has the database open and its -wal and -shm files are
// readable, and otherwise stops with exit 2 and one line saying why and what to do, before anything is written.
// Tests run as root: the CLI is run as uid 65534 (nobody), in folders that user may write or only read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig, startServer } from '@vouch/server';
import { serverEnv } from '../../server/test/helpers/app.ts';
import { BIN, outcomeOf, tempDir } from './helpers.ts';

const NOBODY = 65534;
const skip = process.getuid?.() !== 0 ? 'needs root, to run the CLI as another user' : false;

/** A database made by a server start in `<dir>/data` (root's, 0755, vouch.db 0644) and `<dir>/out`, nobody's. */
async function setUp(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await tempDir(t, 'vouch-backup-reader-');
  await chmod(dir, 0o755);
  const dataDir = join(dir, 'data');
  const out = join(dir, 'out');
  await mkdir(out, { mode: 0o700 });
  await chown(out, NOBODY, NOBODY);
  const env = serverEnv('sqlite', { dataDir });
  return { dataDir, out, env };
}

/** Makes the database's files readable by others, the folder too (but writable only by root). */
async function readableByOthers(dataDir: string): Promise<void> {
  await chmod(dataDir, 0o755);
  for (const name of await readdir(dataDir)) {
    if (name.startsWith('vouch.db')) await chmod(join(dataDir, name), 0o644);
  }
}

/** `vouch backup --json` as uid 65534. */
function backupAsNobody(dataDir: string, output: string, cwd: string) {
  const child = spawn(process.execPath, [BIN, 'backup', '--json', '--output', output, '--data-dir', dataDir], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd },
    uid: NOBODY,
    gid: NOBODY,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return outcomeOf(child);
}

test(
  'a reader backs up a database a server has open: the snapshot holds what is still in the -wal',
  { skip },
  async (t) => {
    const { dataDir, out, env } = await setUp(t);
    const server = await startServer(loadConfig(env));
    t.after(() => server.close());
    await readableByOthers(dataDir);
    // What the start wrote (its keys, its audit entries) is in vouch.db-wal, not yet in vouch.db.
    assert.ok((await stat(join(dataDir, 'vouch.db-wal'))).size > 0);
    const before = (await readdir(dataDir)).sort();

    const output = join(out, 'b.db');
    const r = await backupAsNobody(dataDir, output, out);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const done = JSON.parse(r.out) as { file: string; tables: Record<string, number> };
    assert.equal(done.file, output);
    assert.ok(done.tables.server_keys! > 0, r.out);
    const st = await stat(output);
    assert.equal(st.uid, NOBODY);
    assert.equal(st.mode & 0o777, 0o600);
    assert.deepEqual(await readdir(out), ['b.db']);
    assert.deepEqual((await readdir(dataDir)).sort(), before);
  },
);

test('a reader of a stopped database (no -shm, folder not writable) gets exit 2 and one line', { skip }, async (t) => {
  const { dataDir, out, env } = await setUp(t);
  await (await startServer(loadConfig(env))).close();
  await readableByOthers(dataDir);
  const before = (await readdir(dataDir)).sort();
  assert.ok(!before.includes('vouch.db-shm'), before.join());

  const r = await backupAsNobody(dataDir, join(out, 'b.db'), out);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.out, '');
  const database = join(dataDir, 'vouch.db');
  assert.equal(
    r.err,
    `vouch: Cannot open the SQLite database at ${database} (SQLITE_READONLY_DIRECTORY: attempt to write a readonly ` +
      `database): SQLite must create ${database}-shm to read it, and this user cannot write ${dataDir}; run vouch ` +
      `backup as the user the server runs as (DATABASE_UNAVAILABLE)\n`,
  );
  assert.deepEqual(await readdir(out), []);
  assert.deepEqual((await readdir(dataDir)).sort(), before);
});

test('a reader who cannot read the -shm of an open database gets exit 2 and one line', { skip }, async (t) => {
  const { dataDir, out, env } = await setUp(t);
  const server = await startServer(loadConfig(env));
  t.after(() => server.close());
  await readableByOthers(dataDir);
  const database = join(dataDir, 'vouch.db');
  await chmod(`${database}-shm`, 0o600);

  const r = await backupAsNobody(dataDir, join(out, 'b.db'), out);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.out, '');
  assert.equal(
    r.err,
    `vouch: Cannot open the SQLite database at ${database} (SQLITE_CANTOPEN: unable to open database file): this ` +
      `user cannot read ${database}-shm, which SQLite reads beside the database; run vouch backup as the user the ` +
      `server runs as (DATABASE_UNAVAILABLE)\n`,
  );
  assert.deepEqual(await readdir(out), []);
});
