// What a crashed vouch restore leaves beside the database (its temporary copy `.vouch.db.restore-<hex>.tmp`, with
// SQLite's files for it, and maybe a `vouch.db.before-restore-<time>` copy of the database still in place) was left
// there for good, unmentioned. The next restore now removes the temporary files no running process may hold and says
// so; a refused restore, a backup and a server start name them; a kept copy is named, never removed. The leftovers are
// made here directly, as a crash would leave them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backupSqlite, loadConfig, RestoreError, restoreSqlite } from '../src/index.ts';
import { startServer } from '../src/start.ts';
import { LogCapture, TEST_ADMIN_KEY } from './helpers/app.ts';
import { restoreDeployment } from './helpers/restore-deployment.ts';

const now = new Date(Date.UTC(2026, 0, 31, 10));
/** No process has this id (above every system's pid limit): a crashed restore's file. */
const DEAD = '7ffffffe';
const hex8 = (pid: number) => pid.toString(16).padStart(8, '0');

function collect(): { warn: (_: unknown, message: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { warn: (_: unknown, message: string) => void messages.push(message), messages };
}

/** Leftovers of three restores: one crashed (with a -wal file and a kept copy), one of an older version, one running. */
async function leave(dataDir: string) {
  const crashed = `.vouch.db.restore-${DEAD}${'a'.repeat(12)}.tmp`;
  const older = `.vouch.db.restore-${'b'.repeat(12)}.tmp`;
  // The test runner's process: alive, and not this one.
  const running = `.vouch.db.restore-${hex8(process.ppid)}${'c'.repeat(12)}.tmp`;
  const kept = 'vouch.db.before-restore-2026-01-30T10-00-00-000Z';
  for (const name of [crashed, `${crashed}-wal`, older, running, kept]) {
    await writeFile(join(dataDir, name), 'left by a crash', { mode: 0o600 });
  }
  const t0 = new Date(Date.UTC(2026, 0, 30, 10));
  for (const name of [crashed, older, running]) await utimes(join(dataDir, name), t0, t0);
  const t1 = new Date(t0.getTime() + 1000);
  await utimes(join(dataDir, kept), t1, t1);
  return { crashed, older, running, kept };
}

test('the next restore removes a crashed restore temporary files, names them, and keeps the kept copy', async (t) => {
  const { config, backup } = await restoreDeployment(t);
  const { dataDir } = config;
  const { crashed, older, running, kept } = await leave(dataDir);
  const linked = `.vouch.db.restore-${DEAD}${'d'.repeat(12)}.tmp`;
  await link(join(dataDir, 'vouch.db'), join(dataDir, linked));
  const warnings = collect();

  const done = await restoreSqlite(config, backup, { force: true, now }, warnings);
  const names = await readdir(dataDir);
  for (const gone of [crashed, `${crashed}-wal`, older, linked]) assert.ok(!names.includes(gone), `${gone} removed`);
  assert.ok(names.includes(running), 'the running restore file is left');
  assert.ok(names.includes(kept), 'a kept copy is never removed');
  assert.ok(names.includes('vouch.db') && done.previous !== null);

  const about = (name: string) => warnings.messages.filter((m) => m.includes(join(dataDir, name)));
  assert.equal(about(crashed).length, 1, warnings.messages.join('\n'));
  assert.match(
    about(crashed)[0]!,
    /copy of a backup left by a vouch restore of .*vouch\.db interrupted before it put the copy in place/,
  );
  assert.match(about(crashed)[0]!, /with \.vouch\.db\.restore-7ffffffe.*\.tmp-wal/);
  assert.match(about(crashed)[0]!, /it was removed/);
  assert.match(
    about(crashed)[0]!,
    /vouch\.db\.before-restore-2026-01-30T10-00-00-000Z beside it may be a copy .*it is not removed/,
  );
  assert.match(about(older)[0]!, /it was removed/);
  assert.match(about(linked)[0]!, /another name of the database .*: that name was removed/);
  assert.match(about(running)[0]!, new RegExp(`may still be running \\(process ${process.ppid}\\)`));
});

test('a refused restore, a backup and a server start name the leftovers and remove nothing', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  const { dataDir } = config;
  const { crashed, older } = await leave(dataDir);
  // Left by a restore into an empty place that stopped after linking its copy there: another name of the database.
  const linked = `.vouch.db.restore-${DEAD}${'d'.repeat(12)}.tmp`;
  await link(join(dataDir, 'vouch.db'), join(dataDir, linked));
  const before = (await readdir(dataDir)).sort();

  const refused = collect();
  await assert.rejects(
    restoreSqlite(config, backup, { force: false, now }, refused),
    (err: unknown) => err instanceof RestoreError && err.code === 'TARGET_EXISTS',
  );
  assert.match(refused.messages.find((m) => m.includes(crashed)) ?? '', /remove it \(the next vouch restore does\)/);
  assert.match(refused.messages.find((m) => m.includes(linked)) ?? '', /another name of the database at/);

  const backedUp = collect();
  await backupSqlite(config, join(dir, 'again.db'), { force: false }, backedUp);
  for (const name of [crashed, older, linked]) {
    assert.ok(
      backedUp.messages.some((m) => m.includes(join(dataDir, name))),
      name,
    );
  }

  const logs = new LogCapture();
  const server = await startServer(
    loadConfig({
      VOUCH_DATA_DIR: dataDir,
      VOUCH_PORT: '0',
      VOUCH_HOST: '127.0.0.1',
      VOUCH_PUBLIC_URL: 'http://vouch.test',
      VOUCH_ADMIN_KEY: TEST_ADMIN_KEY,
      VOUCH_LOG_LEVEL: 'warn',
    }),
    { logStream: logs },
  );
  await server.close();
  const warned = logs.lines.map((l) => JSON.parse(l) as { level: number; file?: string; msg: string });
  for (const name of [crashed, older, linked]) {
    assert.ok(
      warned.some((l) => l.level === 40 && l.file === join(dataDir, name) && l.msg.includes('interrupted')),
      `${name}: ${logs.text()}`,
    );
  }
  const after = await readdir(dataDir);
  for (const name of before) assert.ok(after.includes(name), `${name} is still there`);
});
