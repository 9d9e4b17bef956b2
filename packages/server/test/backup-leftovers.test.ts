// A `vouch backup` killed (SIGKILL, a machine crash) after it created its temporary copy beside the output left that
// file there for good, unmentioned: a copy of the sealed server keys and the audit trail under a hidden name. The
// next backup into that folder now removes what a crashed backup of the same output left (not the file of one still
// running) and says so, and names what crashed backups of other outputs in that folder left, removing nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backupSqlite, loadConfig } from '../src/index.ts';
import { kekBoundDataDir } from './helpers/restore-deployment.ts';
import { killAtMarker } from './helpers/kill-at-marker.ts';

/** No process has this id (above every system's pid limit): a crashed backup's file. */
const DEAD = '7ffffffe';
const hex8 = (pid: number) => pid.toString(16).padStart(8, '0');

function collect(): { warn: (_: unknown, message: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { warn: (_: unknown, message: string) => void messages.push(message), messages };
}

test('a backup killed with SIGKILL leaves its temporary file, which the next backup removes and names', async (t) => {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-leftovers-');
  const backups = join(dir, 'backups');
  await mkdir(backups);
  // Group members may write it: the backup warns of that once its temporary file exists, and the child stops there
  // (for good) so that it is killed at a known point, its temporary file created and not yet removed.
  await chmod(backups, 0o770);
  const output = join(backups, 'vouch.db');
  const script = `
    import { writeSync } from 'node:fs';
    import { backupSqlite, loadConfig } from './src/index.ts';
    const config = loadConfig({ VOUCH_DATA_DIR: ${JSON.stringify(dataDir)} });
    const warn = (_, message) => {
      if (!message.startsWith('folder ')) return;
      writeSync(1, 'writing\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    };
    await backupSqlite(config, ${JSON.stringify(output)}, { force: false }, { warn });
    writeSync(1, 'done\\n');`;
  await killAtMarker(script, 'writing');

  const left = await readdir(backups);
  assert.equal(left.length, 1, left.join());
  assert.match(left[0]!, /^\.vouch\.db\..*\.tmp$/);

  await chmod(backups, 0o700);
  const warnings = collect();
  await backupSqlite(loadConfig({ VOUCH_DATA_DIR: dataDir }), output, { force: false }, warnings);
  assert.deepEqual(await readdir(backups), ['vouch.db']);
  const about = warnings.messages.filter((m) => m.includes(join(backups, left[0]!)));
  assert.equal(about.length, 1, warnings.messages.join('\n'));
  assert.match(
    about[0]!,
    /temporary file of a vouch backup of .*\/vouch\.db left by a backup interrupted by a crash: it was removed/,
  );
});

test('the next backup removes only a crashed backup of the same output, and names the rest', async (t) => {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-leftovers-');
  const backups = join(dir, 'backups');
  await mkdir(backups, { mode: 0o700 });
  const crashed = `.vouch.db.backup-${DEAD}${'a'.repeat(12)}.tmp`;
  // Written by a version before the process id was in the name.
  const older = `.vouch.db.${'b'.repeat(12)}.tmp`;
  // The test runner's process: alive, and not this one.
  const running = `.vouch.db.backup-${hex8(process.ppid)}${'c'.repeat(12)}.tmp`;
  // Yesterday's backup, interrupted: another output, whose file is named and left.
  const other = `.vouch-2026-01-30.db.backup-${DEAD}${'d'.repeat(12)}.tmp`;
  // Not a backup's: never touched.
  const foreign = ['.vouch.db.swp', '.notes.tmp', `.vouch-2026-01-30.db.${'e'.repeat(12)}.tmp`];
  for (const name of [crashed, `${crashed}-journal`, older, running, other, ...foreign]) {
    await writeFile(join(backups, name), 'left by a crash', { mode: 0o600 });
  }
  const warnings = collect();
  await backupSqlite(loadConfig({ VOUCH_DATA_DIR: dataDir }), join(backups, 'vouch.db'), { force: false }, warnings);

  assert.deepEqual((await readdir(backups)).sort(), ['vouch.db', running, other, ...foreign].sort());
  const about = (name: string) => warnings.messages.filter((m) => m.includes(join(backups, name)));
  assert.equal(about(crashed).length, 1, warnings.messages.join('\n'));
  assert.match(about(crashed)[0]!, /with \.vouch\.db\.backup-7ffffffe.*\.tmp-journal/);
  assert.match(about(crashed)[0]!, /: it was removed/);
  assert.match(about(older)[0]!, /: it was removed/);
  assert.match(about(running)[0]!, new RegExp(`may still be running \\(process ${process.ppid}\\)`));
  assert.match(
    about(other)[0]!,
    /vouch backup of .*\/vouch-2026-01-30\.db left by a backup interrupted .*: unless one is, remove it/,
  );
  for (const name of foreign) assert.deepEqual(about(name), [], name);
});

test('a backup whose output name is near the longest a file name may be writes and cleans up its temporary file', async (t) => {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-leftovers-');
  const backups = join(dir, 'backups');
  await mkdir(backups, { mode: 0o700 });
  // 240 bytes: a name the file system takes, whose temporary name (and SQLite's -journal beside it) would not be if it
  // held the whole of it. Before, a name over 229 bytes could not be backed up.
  const name = `${'é'.repeat(100)}${'v'.repeat(37)}.db`;
  assert.equal(Buffer.byteLength(name), 240);
  const crashed = `.${'é'.repeat(100)}${'v'.repeat(14)}.backup-${DEAD}${'a'.repeat(12)}.tmp`;
  assert.ok(Buffer.byteLength(crashed) <= 255);
  await writeFile(join(backups, crashed), 'left by a crash', { mode: 0o600 });
  const warnings = collect();
  const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
  await backupSqlite(config, join(backups, name), { force: false }, warnings);
  assert.deepEqual(await readdir(backups), [name]);
  assert.match(warnings.messages.join('\n'), /: it was removed/);
});
