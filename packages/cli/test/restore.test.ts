// `vouch restore`: a backup put in place of the SQLite database only when it checks out and no process has the
// database open; the database it replaces is kept, and a refusal leaves the data directory exactly as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmod,
  copyFile,
  link,
  lstat,
  mkdir,
  readdir,
  readFile,
  rename,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { assertPostgresHint, run, runBin, tempDir } from './helpers.ts';
import { register, serve } from './sqlite-server.ts';

/** Every row of every table of the database `file`, table by table, in a stable order. */
function rowsOf(file: string): Record<string, string[]> {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
      .all() as { name: string }[];
    const rows: Record<string, string[]> = {};
    for (const { name } of tables) {
      rows[name] = db
        .prepare(`select * from "${name}"`)
        .all()
        .map((r) => JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)))
        .sort();
    }
    return rows;
  } finally {
    db.close();
  }
}

/** What a data directory holds: each name with the SHA-256 of its content (folders by name alone). */
async function snapshotOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    out[entry.name] = entry.isFile()
      ? createHash('sha256')
          .update(await readFile(join(dir, entry.name)))
          .digest('hex')
      : 'folder';
  }
  return out;
}

/** A data directory whose server registered `slugs` and was stopped, and a backup of it taken while it ran. */
async function deployment(t: Parameters<typeof serve>[0], dir: string, slugs: string[]) {
  const dataDir = join(dir, 'data');
  const server = await serve(t, dataDir, dir);
  for (const slug of slugs) await register(server.address, slug);
  const backup = join(dir, 'backup.db');
  const b = await runBin(['backup', '--output', backup, '--data-dir', dataDir], {}, dir);
  assert.equal(b.code, 0, b.err);
  return { dataDir, server, backup };
}

test(
  'vouch restore --force puts back exactly the rows of the backup, keeps the replaced database, and serves it',
  // A backstop for a hang: six processes of the binary one after the other took 83 s here while another suite ran.
  { timeout: 300_000 },
  async (t) => {
    const dir = await tempDir(t);
    const { dataDir, server, backup } = await deployment(t, dir, ['one', 'two']);
    // Written after the backup: the restore forgets it, the kept copy still has it.
    await register(server.address, 'later');
    await server.stop();

    const refused = await runBin(['restore', '--input', backup, '--data-dir', dataDir], {}, dir);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /There is a database at .*--force/);

    const r = await runBin(['restore', '--input', backup, '--data-dir', dataDir, '--force', '--json'], {}, dir);
    assert.equal(r.code, 0, r.err);
    const done = JSON.parse(r.out) as {
      database: string;
      input: string;
      bytes: number;
      schemaVersion: string;
      tables: Record<string, number>;
      previous: string;
      kekFile: string;
      kek: string;
    };
    const database = join(dataDir, 'vouch.db');
    assert.equal(done.database, database);
    assert.equal(done.input, backup);
    assert.equal(done.bytes, (await stat(database)).size);
    assert.match(done.schemaVersion, /^\d{4}_/);
    assert.equal(done.tables.agents, 2);
    assert.equal(done.kekFile, join(dataDir, 'kek.key'));
    assert.equal(done.kek, 'matches');
    assert.match(done.previous, /\/vouch\.db\.before-restore-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);

    // Nothing else beside it: no temporary file, no -wal or -shm of the old database.
    assert.deepEqual((await readdir(dataDir)).sort(), [
      'admin.key',
      'kek.key',
      'vouch.db',
      done.previous.split('/').at(-1),
    ]);
    assert.deepEqual(rowsOf(database), rowsOf(backup));
    assert.equal((await stat(database)).mode & 0o777, 0o600);
    assert.equal((await stat(done.previous)).mode & 0o777, 0o600);
    const kept = rowsOf(done.previous);
    assert.equal(kept.agents!.length, 3, 'the kept database has the agent registered after the backup');

    const again = await serve(t, dataDir, dir);
    assert.equal((await fetch(`${again.address}/v1/identity/two`)).status, 200);
    assert.equal((await fetch(`${again.address}/v1/identity/later`)).status, 404);
  },
);

test('vouch restore while a server has the database open exits 2 with one line and changes nothing', async (t) => {
  const dir = await tempDir(t);
  const { dataDir, server, backup } = await deployment(t, dir, ['one']);
  await register(server.address, 'later');
  const before = await snapshotOf(dataDir);
  const inode = (await stat(join(dataDir, 'vouch.db'))).ino;

  const r = await runBin(['restore', '--input', backup, '--data-dir', dataDir, '--force'], {}, dir);
  assert.equal(r.code, 2, r.out);
  assert.equal(r.out, '');
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(r.err, /is in use \(a server, or another process, has it open\): stop every server on it/);

  assert.deepEqual(await snapshotOf(dataDir), before);
  assert.equal((await stat(join(dataDir, 'vouch.db'))).ino, inode);
  // The server goes on serving what it wrote, and writing.
  assert.equal((await fetch(`${server.address}/v1/identity/later`)).status, 200);
  await register(server.address, 'after-refusal');
});

test('vouch restore refuses a damaged, foreign or newer backup and changes nothing', async (t) => {
  const dir = await tempDir(t);
  const { dataDir, server, backup } = await deployment(t, dir, ['one']);
  await server.stop();
  const before = await snapshotOf(dataDir);

  const text = join(dir, 'text.db');
  await writeFile(text, 'not a database at all, but long enough to have a header of sorts'.repeat(10));
  const damaged = join(dir, 'damaged.db');
  await copyFile(backup, damaged);
  {
    // A page of the agents table overwritten: the file opens, SQLite's integrity check finds it.
    const db = new BetterSqlite3(damaged);
    const { rootpage } = db.prepare("select rootpage from sqlite_master where name = 'agents'").get() as {
      rootpage: number;
    };
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const bytes = await readFile(damaged);
    bytes.fill(0xa5, (rootpage - 1) * pageSize + 8, rootpage * pageSize);
    await writeFile(damaged, bytes);
  }
  const newer = join(dir, 'newer.db');
  await copyFile(backup, newer);
  {
    const db = new BetterSqlite3(newer);
    db.prepare('insert into vouch_migration (name, timestamp) values (?, ?)').run('9999_from_the_future', 'now');
    db.close();
  }
  const foreign = join(dir, 'foreign.db');
  {
    const db = new BetterSqlite3(foreign);
    db.exec('create table notes (body text)');
    db.close();
  }
  const cases: [string, RegExp][] = [
    [text, /is not a SQLite database \(it does not begin with SQLite's header\)/],
    [damaged, /is (not a SQLite database or is )?damaged/],
    [newer, /was migrated by a newer version of Vouch \(it has migration 9999_from_the_future; this version knows/],
    [foreign, /is a SQLite database but not a Vouch database/],
    [join(dataDir, 'vouch.db'), /is the database being restored/],
    [join(dataDir, '.', 'vouch.db-wal'), /is the database being restored/],
    [join(dir, 'absent.db'), /Cannot read the input/],
    [dir, /is not a file/],
  ];
  for (const [input, message] of cases) {
    const r = await run('restore', '--input', input, '--data-dir', dataDir, '--force');
    assert.equal(r.code, 2, `${input}: ${r.out}`);
    assert.match(r.err, message, input);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.deepEqual(await snapshotOf(dataDir), before, input);
  }
  // A hard link to the live database is the live database under another name.
  const linked = join(dir, 'linked.db');
  await link(join(dataDir, 'vouch.db'), linked);
  const l = await run('restore', '--input', linked, '--data-dir', dataDir, '--force');
  assert.equal(l.code, 2);
  assert.match(l.err, /is the database being restored/);
  assert.deepEqual(await snapshotOf(dataDir), before);
});

test('vouch restore refuses a copy with commits still in a -wal file beside it', async (t) => {
  const dir = await tempDir(t);
  const { dataDir, server, backup } = await deployment(t, dir, ['one']);
  await server.stop();
  const before = await snapshotOf(dataDir);
  await writeFile(`${backup}-wal`, 'frames');
  const r = await run('restore', '--input', backup, '--data-dir', dataDir, '--force');
  assert.equal(r.code, 2);
  assert.match(r.err, /has a -wal file beside it/);
  assert.deepEqual(await snapshotOf(dataDir), before);
});

test('vouch restore into a new data directory needs no --force and says the KEK is missing', async (t) => {
  const dir = await tempDir(t);
  const { server, backup } = await deployment(t, dir, ['one']);
  await server.stop();
  const fresh = join(dir, 'fresh');
  const r = await run('restore', '--input', backup, '--data-dir', fresh);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^restored .*fresh\/vouch\.db \(\d+ bytes\) from .*backup\.db$/m);
  assert.match(r.out, /agents +1/);
  assert.match(r.out, /There was no database there before\./);
  assert.match(r.out, /There is no KEK at .*fresh\/kek\.key/);
  assert.match(r.out, /vouch keys rotate --compromised/);
  assert.deepEqual(await readdir(fresh), ['vouch.db']);
  assert.equal((await stat(fresh)).mode & 0o777, 0o700);
  assert.deepEqual(rowsOf(join(fresh, 'vouch.db')), rowsOf(backup));
});

test('vouch restore with a KEK file that is there but holds no key says so, not that there is none', async (t) => {
  const dir = await tempDir(t);
  const { dataDir, server, backup } = await deployment(t, dir, ['one']);
  await server.stop();
  await writeFile(join(dataDir, 'kek.key'), 'not a key\n', { mode: 0o600 });
  const r = await run('restore', '--input', backup, '--data-dir', dataDir, '--force');
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.out, /There is no KEK/);
  assert.match(
    r.out,
    /The KEK file .*data\/kek\.key is there but cannot be used \(.*must hold 32 bytes.*\): .*KEK_INVALID/,
  );
  const j = await run('restore', '--input', backup, '--data-dir', dataDir, '--force', '--json');
  assert.equal(j.code, 0, j.err);
  const done = JSON.parse(j.out) as { kek: string; kekProblem?: string };
  assert.equal(done.kek, 'unreadable');
  assert.match(done.kekProblem ?? '', /must hold 32 bytes/);
});

test('vouch restore over a vouch.db that is a symbolic link restores the file it names and says so', async (t) => {
  const dir = await tempDir(t);
  const { dataDir, server, backup } = await deployment(t, dir, ['one']);
  await register(server.address, 'later');
  await server.stop();
  const disk = join(dir, 'disk');
  await mkdir(disk, { mode: 0o700 });
  const real = join(disk, 'vouch.db');
  await rename(join(dataDir, 'vouch.db'), real);
  await symlink(real, join(dataDir, 'vouch.db'));

  const r = await run('restore', '--input', backup, '--data-dir', dataDir, '--force');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /vouch\.db is a symbolic link: the file it names, .*\/disk\/vouch\.db, was restored/);
  assert.match(r.out, /kept as .*\/disk\/vouch\.db\.before-restore-/);
  assert.ok((await lstat(join(dataDir, 'vouch.db'))).isSymbolicLink());
  assert.deepEqual(rowsOf(real), rowsOf(backup));
});

test('vouch restore refuses a data directory any user may write, and leaves it as it was', async (t) => {
  const dir = await tempDir(t);
  const { server, backup } = await deployment(t, dir, ['one']);
  await server.stop();
  const open = join(dir, 'open');
  await mkdir(open);
  await chmod(open, 0o777);
  const r = await run('restore', '--input', backup, '--data-dir', open);
  assert.equal(r.code, 2);
  assert.match(r.err, /can be written by any user/);
  assert.deepEqual(await readdir(open), []);
});

test('vouch restore with PostgreSQL exits 2 with the pg_restore command, without the password', async (t) => {
  await assertPostgresHint(
    t,
    ['restore', '--input', 'vouch.dump'],
    /pg_restore --clean --if-exists --no-owner --single-transaction --dbname='postgres:\/\/vouch@db\.example:5432\/vouch\?sslmode=verify-full' vouch\.dump/,
  );
});

test('vouch restore says when the KEK file there is not the one the backup was sealed under', async (t) => {
  const dir = await tempDir(t);
  const { server, backup } = await deployment(t, dir, ['one']);
  await server.stop();
  const other = join(dir, 'other');
  await mkdir(other, { mode: 0o700 });
  await writeFile(join(other, 'kek.key'), `${'ab'.repeat(32)}\n`, { mode: 0o600 });
  const r = await run('restore', '--input', backup, '--data-dir', other, '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as { kek: string }).kek, 'differs');
  const human = await run('restore', '--input', backup, '--data-dir', other, '--force');
  assert.equal(human.code, 0, human.err);
  assert.match(human.out, /The KEK in .*other\/kek\.key is NOT the one its server keys are sealed under/);
});
