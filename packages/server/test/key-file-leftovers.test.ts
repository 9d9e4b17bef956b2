// createFileWhole writes a key (kek.key, admin.key, a `vouch keygen` file) to `<file>.<hex>.tmp`, links it into place
// and removes the temporary name. A process killed between the write and that removal (SIGKILL, a power loss) left
// the key there for good, never mentioned. The temporary name now holds the process id, and the next creation of the
// same file (and a server start, for its key files) removes those whose process no longer runs, with a warning
// naming each; an older version's name (no process id) is removed once untouched for a minute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/start.ts';
import { clearCreateLeftovers, createFileWhole } from '../src/files/index.ts';
import { killAtMarker } from './helpers/kill-at-marker.ts';

/** No process has this id (above every system's pid limit): a crashed process's file. */
const DEAD = '7ffffffe';
const hex8 = (pid: number) => pid.toString(16).padStart(8, '0');

function collect() {
  const messages: string[] = [];
  return { warn: (_: string, message: string) => void messages.push(message), messages };
}

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-key-leftovers-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a creation killed between writing and removing its temporary file leaves the key, which the next creation removes and names', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'admin.key');
  // The child stops for good at link(), its temporary file written and not yet removed, and is killed there.
  const script = `
    import { writeSync } from 'node:fs';
    import { createRequire, syncBuiltinESMExports } from 'node:module';
    const fsp = createRequire(import.meta.url)('node:fs/promises');
    fsp.link = async () => {
      writeSync(1, 'linking\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    };
    syncBuiltinESMExports();
    const { createFileWhole } = await import('./src/files/index.ts');
    await createFileWhole(${JSON.stringify(file)}, 'secret\\n', 0o600);
    writeSync(1, 'done\\n');`;
  await killAtMarker(script, 'linking');

  const left = await readdir(dir);
  assert.equal(left.length, 1, left.join());
  assert.match(left[0]!, /^admin\.key\.[0-9a-f]+\.tmp$/);
  assert.equal(await readFile(join(dir, left[0]!), 'utf8'), 'secret\n', 'the key, under the temporary name');

  const { warn, messages } = collect();
  assert.equal(await createFileWhole(file, 'new\n', 0o600, { warn }), true);
  assert.deepEqual(await readdir(dir), ['admin.key']);
  assert.deepEqual(messages, [
    `${join(dir, left[0]!)}, the temporary file of a creation of ${file} interrupted by a crash, was removed`,
  ]);
});

test('leftovers of a running process, of another file, of recent older versions and non-files are left alone', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'kek.key');
  const dead = `kek.key.${DEAD}0123456789ab.tmp`;
  const alive = `kek.key.${hex8(process.ppid)}0123456789ab.tmp`;
  const olderStale = 'kek.key.0123456789abcdef.tmp';
  const olderFresh = 'kek.key.fedcba9876543210.tmp';
  const otherFile = `admin.key.${DEAD}0123456789ab.tmp`;
  const folder = `kek.key.${DEAD}ba9876543210.tmp`;
  const unrelated = 'kek.key.notes.tmp';
  for (const name of [dead, alive, olderStale, olderFresh, otherFile, unrelated]) {
    await writeFile(join(dir, name), 'k\n', { mode: 0o600 });
  }
  await mkdir(join(dir, folder));
  const hourAgo = new Date(Date.now() - 3_600_000);
  await utimes(join(dir, olderStale), hourAgo, hourAgo);

  const { warn, messages } = collect();
  await clearCreateLeftovers(file, warn);
  assert.deepEqual((await readdir(dir)).sort(), [alive, olderFresh, otherFile, folder, unrelated].sort());
  assert.equal(messages.length, 4, messages.join('\n'));
  assert.ok(messages.some((m) => m.startsWith(`${join(dir, dead)}, `) && m.endsWith('was removed')));
  assert.ok(messages.some((m) => m.startsWith(`${join(dir, olderStale)}, `) && m.endsWith('was removed')));
  assert.ok(
    messages.some((m) => m.startsWith(`${join(dir, alive)} is `) && m.includes(`by process ${process.ppid}, which`)),
  );
  assert.ok(messages.some((m) => m.startsWith(`${join(dir, olderFresh)} is `) && m.includes('by an older vouch')));
});

test('this process removes its own id’s leftovers (a container restarts with the same pid) but not its files at work', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'admin.key');
  const mine = `admin.key.${hex8(process.pid)}0123456789ab.tmp`;
  await writeFile(join(dir, mine), 'k\n', { mode: 0o600 });
  // Two creations of one file at once in one process: neither removes the other's temporary file.
  const { warn, messages } = collect();
  const results = await Promise.all([
    createFileWhole(file, 'a\n', 0o600, { warn }),
    createFileWhole(file, 'b\n', 0o600, { warn }),
  ]);
  assert.deepEqual(results.sort(), [false, true]);
  assert.deepEqual(await readdir(dir), ['admin.key']);
  assert.deepEqual(messages, [
    `${join(dir, mine)}, the temporary file of a creation of ${file} interrupted by a crash, was removed`,
  ]);
});

test('a server start removes what crashed creations of admin.key and kek.key left, with a warning naming each', async (t) => {
  const dir = await tempDir(t);
  const dataDir = join(dir, 'data');
  await mkdir(dataDir, { mode: 0o700 });
  const admin = join(dataDir, `admin.key.${DEAD}0123456789ab.tmp`);
  const kek = join(dataDir, 'kek.key.0123456789abcdef.tmp');
  await writeFile(admin, 'vouch_admin_x\n', { mode: 0o600 });
  await writeFile(kek, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
  const hourAgo = new Date(Date.now() - 3_600_000);
  await utimes(kek, hourAgo, hourAgo);
  const lines: string[] = [];
  const server = await startServer(
    loadConfig({
      VOUCH_PORT: '0',
      VOUCH_PUBLIC_URL: 'http://vouch.test',
      VOUCH_LOG_LEVEL: 'warn',
      VOUCH_DATA_DIR: dataDir,
    }),
    { logStream: { write: (line: string) => void lines.push(line) } },
  );
  await server.close();
  assert.deepEqual(
    (await readdir(dataDir)).filter((n) => n.endsWith('.tmp')),
    [],
  );
  const warnings = lines
    .map((l) => JSON.parse(l) as { file?: string; msg: string })
    .filter((l) => l.file !== undefined);
  assert.deepEqual(
    warnings.map((w) => w.file),
    [admin, kek],
  );
  for (const w of warnings) assert.match(w.msg, /interrupted by a crash, was removed$/);
});
