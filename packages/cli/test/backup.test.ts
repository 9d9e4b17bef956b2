// `vouch backup`: a consistent copy of the SQLite database taken while a server writes to it, installed only whole
// (mode 0600, never over an existing file without --force); PostgreSQL deployments are pointed at pg_dump.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { assertPostgresHint, run, runBin, tempDir } from './helpers.ts';
import { register, serve } from './sqlite-server.ts';

function slugsIn(file: string): Set<string> {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    return new Set((db.prepare('select slug from agents').all() as { slug: string }[]).map((r) => r.slug));
  } finally {
    db.close();
  }
}

test(
  'vouch backup while the server registers agents holds every agent acknowledged before it, and restores',
  { timeout: 120_000 },
  async (t) => {
    const dir = await tempDir(t);
    const dataDir = join(dir, 'data');
    const { address } = await serve(t, dataDir, dir);
    const acked: string[] = [];
    let n = 0;
    for (; n < 20; n++) acked.push((await register(address, `pre-${n}`), `pre-${n}`));
    // Quiet first: the latest commits are still in the -wal file, which a copy of vouch.db alone would miss.
    const quiet = join(dir, 'quiet.db');
    const first = await runBin(['backup', '--output', quiet, '--data-dir', dataDir], {}, dir);
    assert.equal(first.code, 0, first.err);
    assert.deepEqual([...slugsIn(quiet)].sort(), [...acked].sort());
    // A writer that keeps going while the backup (another process) runs.
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const slug = `during-${n++}`;
        await register(address, slug);
        acked.push(slug);
      }
    })();
    const before = [...acked];
    const output = join(dir, 'backups', 'vouch.db');
    await mkdir(join(dir, 'backups'), { mode: 0o700 });
    const r = await runBin(['backup', '--output', output, '--data-dir', dataDir, '--json'], {}, dir);
    writing = false;
    await writer;
    assert.ok(acked.length > before.length, 'the server was written to while the backup ran');
    assert.equal(r.code, 0, r.err);
    const done = JSON.parse(r.out) as {
      file: string;
      bytes: number;
      schemaVersion: string;
      tables: Record<string, number>;
      kekFile: string;
    };
    assert.equal(done.file, output);
    assert.equal(done.bytes, (await stat(output)).size);
    assert.match(done.schemaVersion, /^\d{4}_/);
    assert.equal(done.kekFile, join(dataDir, 'kek.key'));
    assert.equal((await stat(output)).mode & 0o777, 0o600);
    const slugs = slugsIn(output);
    for (const slug of before) assert.ok(slugs.has(slug), `${slug} acknowledged before the backup is in it`);
    for (const slug of slugs) assert.ok(acked.includes(slug), `${slug} in the backup was acknowledged`);
    assert.equal(done.tables.agents, slugs.size);
    // Only the backup is left in its folder: no temporary file.
    assert.deepEqual(await readdir(join(dir, 'backups')), ['vouch.db']);

    // Restored with the KEK, it serves the agents it holds.
    const restored = join(dir, 'restored');
    await mkdir(restored, { mode: 0o700 });
    await copyFile(output, join(restored, 'vouch.db'));
    await copyFile(join(dataDir, 'kek.key'), join(restored, 'kek.key'));
    await chmod(join(restored, 'kek.key'), 0o600);
    const again = await serve(t, restored, dir);
    const res = await fetch(`${again.address}/v1/identity/${before.at(-1)}`);
    assert.equal(res.status, 200, await res.text());
  },
);

test('vouch backup refuses an existing output without --force, and replaces it with --force', async (t) => {
  const dir = await tempDir(t);
  const dataDir = join(dir, 'data');
  // A database set up by a server start and stop.
  const { address } = await serve(t, dataDir, dir);
  await register(address, 'only');
  const output = join(dir, 'vouch-backup.db');
  await writeFile(output, 'precious', { mode: 0o600 });
  const refused = await run('backup', '--output', output, '--data-dir', dataDir);
  assert.equal(refused.code, 2);
  assert.match(refused.err, /exists.*--force/);
  assert.equal((await stat(output)).size, 'precious'.length);
  assert.deepEqual((await readdir(dir)).sort(), ['data', 'vouch-backup.db']);

  const forced = await run('backup', '--output', output, '--data-dir', dataDir, '--force');
  assert.equal(forced.code, 0, forced.err);
  assert.match(forced.out, new RegExp(`wrote ${output.replace(/[.]/g, '\\.')} \\(\\d+ bytes\\)`));
  assert.match(forced.out, /agents +1/);
  assert.match(forced.out, /kek\.key/);
  assert.equal((await stat(output)).mode & 0o777, 0o600);
  assert.ok(slugsIn(output).has('only'));
});

test('vouch backup --force refuses the KEK file and the admin key file as its output, and leaves them', async (t) => {
  const dir = await tempDir(t);
  const dataDir = join(dir, 'data');
  const { address } = await serve(t, dataDir, dir);
  await register(address, 'only');
  for (const name of ['kek.key', 'admin.key']) {
    const file = join(dataDir, name);
    const before = await readFile(file);
    const r = await run('backup', '--output', file, '--data-dir', dataDir, '--force');
    assert.equal(r.code, 2, name);
    assert.match(r.err, /is the deployment's (KEK|admin key) file: a backup never replaces a key file/);
    assert.deepEqual(await readFile(file), before, name);
  }
});

test('vouch backup refuses an output in a folder any user may write', async (t) => {
  const dir = await tempDir(t);
  const dataDir = join(dir, 'data');
  const { address } = await serve(t, dataDir, dir);
  await register(address, 'only');
  const open = join(dir, 'open');
  await mkdir(open);
  await chmod(open, 0o777);
  const r = await run('backup', '--output', join(open, 'b.db'), '--data-dir', dataDir);
  assert.equal(r.code, 2);
  assert.match(r.err, /can be written by any user/);
  assert.deepEqual(await readdir(open), []);
});

test('vouch backup of a data dir without a database exits 2 and creates nothing', async (t) => {
  const dir = await tempDir(t);
  const r = await run('backup', '--output', join(dir, 'b.db'), '--data-dir', join(dir, 'none'));
  assert.equal(r.code, 2);
  assert.match(r.err, /no Vouch database/);
  assert.deepEqual(await readdir(dir), []);
});

test('vouch backup with PostgreSQL exits 2 with the pg_dump command, without the password', async (t) => {
  await assertPostgresHint(
    t,
    ['backup', '--output', 'vouch.dump'],
    /pg_dump --format=custom --schema=vouch --file=vouch\.dump 'postgres:\/\/vouch@db\.example:5432\/vouch\?sslmode=verify-full'/,
  );
});

test('vouch backup with sslmode=require, prefer or verify-ca prints its one line and no pg warning', async (t) => {
  // pg-connection-string warns (process.emitWarning, several lines on stderr) on these aliases unless told their
  // meaning; Vouch reads them as verify-full (docs/operations.md), so nothing follows the command's one line.
  for (const mode of ['require', 'prefer', 'verify-ca']) {
    const dir = await tempDir(t);
    const r = await runBin(
      ['backup', '--output', 'vouch.dump'],
      {
        VOUCH_DATABASE_URL: `postgres://vouch:s3cret@127.0.0.1:1/vouch?sslmode=${mode}`,
        VOUCH_KEK_FILE: join(dir, 'kek'),
      },
      dir,
    );
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.doesNotMatch(r.err, /WARNING/);
    // The printed command keeps the user's sslmode: pg_dump is libpq, which reads it as libpq does.
    assert.match(
      r.err,
      new RegExp(
        `pg_dump --format=custom --file=vouch\\.dump 'postgres://vouch@127\\.0\\.0\\.1:1/vouch\\?sslmode=${mode}'`,
      ),
    );
  }
});
