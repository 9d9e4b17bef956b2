// Gaps found by mutation testing in start.ts and storage/kek.ts: the directories the server creates to hold its
// secrets (the data directory with admin.key and kek.key, and the directory of a VOUCH_KEK_FILE that does not exist
// yet) are private to the server's user (0700), not merely the files in them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/start.ts';
import { loadKekFile, openStorage } from '../../src/storage/index.ts';
import { LogCapture, serverEnv } from '../helpers/app.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

test('a first start creates its data directory 0700', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-key-dirs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  const server = await startServer(
    loadConfig({
      VOUCH_PORT: '0',
      VOUCH_PUBLIC_URL: 'http://vouch.test',
      VOUCH_LOG_LEVEL: 'silent',
      VOUCH_DATA_DIR: dataDir,
    }),
  );
  await server.close();
  assert.equal((await stat(dataDir)).mode & 0o777, 0o700);
  assert.equal((await stat(join(dataDir, 'admin.key'))).mode & 0o777, 0o600);
});

test('a KEK file created in a directory that does not exist yet gets that directory 0700', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-key-dirs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const storage = await openStorage({ dataDir: join(dir, 'data') });
  t.after(() => storage.close());
  const kekFile = join(dir, 'secrets', 'vouch.kek');
  const loaded = await loadKekFile({ dataDir: join(dir, 'data'), kekFile, engine: 'sqlite', storage });
  assert.equal(loaded.created, true);
  assert.equal((await stat(join(dir, 'secrets'))).mode & 0o777, 0o700);
  assert.equal((await stat(kekFile)).mode & 0o777, 0o600);
});

test(
  'on PostgreSQL the data directory is neither created nor reported: nothing of the server lives there',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-key-dirs-'));
    const schema = freshSchema();
    t.after(async () => {
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dir, { recursive: true, force: true });
    });
    const unused = join(dir, 'unused');
    const env = serverEnv('postgres', { dataDir: dir, databaseUrl: TEST_DATABASE_URL, pgSchema: schema });
    const logs = new LogCapture();
    const server = await startServer(loadConfig({ ...env, VOUCH_DATA_DIR: unused, VOUCH_LOG_LEVEL: 'info' }), {
      logStream: logs,
    });
    await server.close();
    await assert.rejects(stat(unused), { code: 'ENOENT' });
    const listening = logs.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'vouch server listening');
    assert.ok(listening !== undefined, logs.text());
    assert.equal(listening.engine, 'postgres');
    assert.equal(listening.dataDir, undefined);
  },
);
