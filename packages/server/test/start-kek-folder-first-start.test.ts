// The first start on SQLite creates the KEK file, but the key file rule (checkKeyFileModes) left a missing file to its
// reader, folders included: a data folder any user may write (a Kubernetes emptyDir is 0777) took a new kek.key and
// served, and only the next start refused that folder, with the database and its KEK already there. The folders the
// file is to be created in are now held to the rule before the database is opened, as they are once it exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../src/config-error.ts';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/start.ts';
import { LogCapture, serverEnv } from './helpers/app.ts';

test('a first start in a data folder any user may write is refused before it creates the KEK or the database', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-kek-first-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  await mkdir(dataDir);
  await chmod(dataDir, 0o777);
  // VOUCH_ADMIN_KEY is set: no admin.key is written, so the KEK file is the only key file the start makes.
  const env = serverEnv('sqlite', { dataDir });
  const err = await startServer(loadConfig(env)).catch((e: unknown) => e);
  assert.ok(err instanceof ConfigError, String(err));
  assert.match(
    err.message,
    new RegExp(
      `^VOUCH_DATA_DIR: the folder ${dataDir} holding the key file ${join(dataDir, 'kek.key')} can be written`,
    ),
  );
  assert.deepEqual(await readdir(dataDir), []);

  // A group-writable one is warned about and used, as it is once the file exists.
  await chmod(dataDir, 0o770);
  const logs = new LogCapture();
  await (await startServer(loadConfig({ ...env, VOUCH_LOG_LEVEL: 'info' }), { logStream: logs })).close();
  assert.ok(existsSync(join(dataDir, 'kek.key')));
  const warned = logs.lines
    .map((l) => JSON.parse(l) as { level: number; folder?: string; mode?: string })
    .filter((l) => l.level === 40 && l.folder !== undefined)
    .map((l) => [l.folder, l.mode]);
  assert.deepEqual(warned, [[dataDir, '0770']], logs.text());
});
