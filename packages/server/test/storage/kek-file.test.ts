// When a missing KEK file may be created: only on SQLite, only for a fresh database. PostgreSQL never creates it (a
// mis-mounted secret must not start a deployment on a key that vanishes), and a database already sealed under a
// key needs that key restored, not a new one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/start.ts';
import { loadKekFile } from '../../src/storage/kek.ts';
import { openStorage, StorageError } from '../../src/storage/index.ts';
import { LogCapture, serverEnv } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

const BIN = new URL('../../../cli/bin/vouch.js', import.meta.url).pathname;

/** Runs `vouch serve` with `env` until it exits (a refusal) or listens (then stops it); returns the exit and stderr. */
async function serveOnce(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdout.on('data', (d: Buffer) => {
    if (d.toString('utf8').includes('vouch server listening')) child.kill('SIGTERM');
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

test('SQLite, fresh database: the KEK file is created (0600) and its path, never its content, is logged', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-kek-file-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const logs = new LogCapture();
  const server = await startServer(loadConfig({ ...serverEnv('sqlite', { dataDir }), VOUCH_LOG_LEVEL: 'info' }), {
    logStream: logs,
  });
  await server.close();
  const file = join(dataDir, 'kek.key');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const kek = (await readFile(file, 'utf8')).trim();
  const created = logs.lines
    .map((l) => JSON.parse(l) as { msg: string; file?: string })
    .filter((l) => l.msg === 'created the key-encryption key file for this new database');
  assert.deepEqual(
    created.map((l) => l.file),
    [file],
  );
  assert.ok(!logs.text().includes(kek), 'the key is never logged');

  // The next start reads it and logs no creation.
  const quiet = new LogCapture();
  const again = await startServer(loadConfig({ ...serverEnv('sqlite', { dataDir }), VOUCH_LOG_LEVEL: 'info' }), {
    logStream: quiet,
  });
  await again.close();
  assert.doesNotMatch(quiet.text(), /created the key-encryption key file/);
});

test('SQLite, existing database, kek.key deleted: refused with "restore the file", no new key written', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-kek-file-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const env = serverEnv('sqlite', { dataDir });
  await (await startServer(loadConfig(env))).close();
  const file = join(dataDir, 'kek.key');
  await unlink(file);

  const err = await startServer(loadConfig(env)).catch((e: unknown) => e);
  assert.ok(err instanceof StorageError);
  assert.equal(err.code, 'KEK_REQUIRED');
  assert.equal(
    err.message,
    `The KEK file ${file} is missing; this database was sealed with a key-encryption key: restore the file from ` +
      'backup (or point VOUCH_KEK_FILE at it).',
  );
  assert.ok(!(await readdir(dataDir)).includes('kek.key'), 'no new key file was written');

  // The same through `vouch serve`: exit 2, like other configuration errors, and still no file.
  const cli = await serveOnce(env);
  assert.equal(cli.code, 2, cli.stderr);
  assert.ok(cli.stderr.includes(`The KEK file ${file} is missing`), cli.stderr);
  assert.ok(!(await readdir(dataDir)).includes('kek.key'));
});

eachEngine(
  'a KEK file named by VOUCH_KEK_FILE that does not exist: created for a fresh SQLite database only',
  async ({ engine, options, dataDir }) => {
    const kekFile = join(dataDir, 'secrets', 'vouch.kek');
    const env = { ...serverEnv(engine, options), VOUCH_KEK_FILE: kekFile };
    if (engine === 'sqlite') {
      await (await startServer(loadConfig(env))).close();
      assert.match(await readFile(kekFile, 'utf8'), /^[0-9a-f]{64}\n$/);
      return;
    }
    // PostgreSQL, fresh schema: refused, naming the variable and the path; nothing written.
    const err = await startServer(loadConfig(env)).catch((e: unknown) => e);
    assert.ok(err instanceof StorageError);
    assert.equal(err.code, 'KEK_REQUIRED');
    assert.ok(err.message.includes(kekFile) && err.message.includes('VOUCH_KEK_FILE'), err.message);
    await assert.rejects(stat(kekFile), { code: 'ENOENT' });
    const cli = await serveOnce(env);
    assert.equal(cli.code, 2, cli.stderr);
    assert.ok(cli.stderr.includes(`The key-encryption key file ${kekFile} (VOUCH_KEK_FILE) does not exist`));
    await assert.rejects(stat(kekFile), { code: 'ENOENT' });

    // PostgreSQL, database set up with a file that is later mis-mounted: refused the same way.
    await mkdir(join(dataDir, 'secrets'));
    await writeFile(kekFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    await (await startServer(loadConfig(env))).close();
    await unlink(kekFile);
    await assert.rejects(startServer(loadConfig(env)), { code: 'KEK_REQUIRED' });
    await assert.rejects(stat(kekFile), { code: 'ENOENT' });
  },
  { timeout: 60_000 },
);

test('processes starting together on a fresh SQLite database agree on one created key', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-kek-file-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const stores = await Promise.all(Array.from({ length: 8 }, () => openStorage({ dataDir })));
  try {
    const loaded = await Promise.all(stores.map((storage) => loadKekFile({ dataDir, engine: 'sqlite', storage })));
    assert.equal(new Set(loaded.map((l) => l.key.toString('hex'))).size, 1);
    assert.equal(loaded.filter((l) => l.created).length, 1, 'one of them created it, the others read it');
    assert.deepEqual(
      (await readdir(dataDir)).filter((n) => n.startsWith('kek')),
      ['kek.key'],
    );
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});

test('without a database to ask, a missing file is never created', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-kek-file-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  for (const engine of ['sqlite', 'postgres'] as const) {
    const kekFile = engine === 'postgres' ? join(dataDir, 'kek.key') : undefined;
    await assert.rejects(loadKekFile({ dataDir, kekFile, engine }), { code: 'KEK_REQUIRED' });
  }
  assert.deepEqual(await readdir(dataDir), []);
});
