// A `vouch restore --force` killed (SIGKILL, a machine crash) while it copied the replaced database aside left a part
// of that copy under the kept copy's own name, `vouch.db.before-restore-<time>`, which looks like a whole one (it is
// never removed, and it may be all an operator has of that database). The copy is now written under a temporary name
// the leftovers check knows, flushed, and only then renamed to the kept name: a file by that name is always whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { restoreSqlite } from '../src/index.ts';
import { reportRestoreLeftovers } from '../src/restore-leftovers.ts';
import { cannotSeeSyncs } from './helpers/fsync.ts';
import { holdsLaterRow, restoreDeployment } from './helpers/restore-deployment.ts';
import { killAtMarker } from './helpers/kill-at-marker.ts';

function collect(): { warn: (_: unknown, message: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { warn: (_: unknown, message: string) => void messages.push(message), messages };
}

test('a restore killed while it copies the replaced database aside leaves no file under the kept name', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const { config, backup } = await restoreDeployment(t);
  const { dataDir } = config;
  const database = join(dataDir, 'vouch.db');
  // The child writes half of the first block of the copy it makes of the replaced database (any file in the data
  // directory but the restore's copy of the backup), says so, and stops there for good: it is killed mid-copy.
  const script = `
    import { readlinkSync, writeSync } from 'node:fs';
    import { open, mkdtemp, rm } from 'node:fs/promises';
    import { tmpdir } from 'node:os';
    import { basename, dirname, join } from 'node:path';
    import { loadConfig, restoreSqlite } from './src/index.ts';
    const dataDir = ${JSON.stringify(dataDir)};
    const scratch = await mkdtemp(join(tmpdir(), 'vouch-kept-probe-'));
    const probe = await open(join(scratch, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe);
    await probe.close();
    await rm(scratch, { recursive: true });
    const write = proto.write;
    proto.write = async function (buffer, offset, length, position) {
      const path = readlinkSync('/proc/self/fd/' + this.fd);
      if (dirname(path) === dataDir && !/^\\.vouch\\.db\\.restore-[0-9a-f]{20}\\.tmp$/.test(basename(path))) {
        await write.call(this, buffer, offset, Math.max(1, length >> 1), position);
        writeSync(1, 'copying\\n');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      }
      return write.call(this, buffer, offset, length, position);
    };
    const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
    await restoreSqlite(config, ${JSON.stringify(backup)}, { force: true, now: new Date(0) }, { warn: () => {} });
    writeSync(1, 'done\\n');`;
  await killAtMarker(script, 'copying');

  const left = await readdir(dataDir);
  assert.deepEqual(
    left.filter((n) => n.includes('before-restore')),
    [],
    `no kept copy under its final name: ${left.join()}`,
  );
  const partial = left.filter((n) => /^\.vouch\.db\.restore-[0-9a-f]{20}\.kept\.tmp$/.test(n));
  assert.equal(partial.length, 1, left.join());
  assert.ok(holdsLaterRow(database), 'the database is as it was');

  // A backup and a server start name it (reportRestoreLeftovers), as an unfinished copy of the database in place.
  const reported: { file: string; message: string }[] = [];
  await reportRestoreLeftovers(database, (file, message) => void reported.push({ file, message }));
  const about = reported.filter((r) => r.file === join(dataDir, partial[0]!));
  assert.equal(about.length, 1, JSON.stringify(reported));
  assert.match(about[0]!.message, /unfinished copy of the database at .*vouch\.db.*nothing was replaced/);
  assert.match(about[0]!.message, /remove it \(the next vouch restore does\)/);

  // The next restore removes it, says so, and keeps a whole copy under the kept name.
  const warnings = collect();
  const done = await restoreSqlite(config, backup, { force: true, now: new Date(0) }, warnings);
  const after = await readdir(dataDir);
  assert.ok(!after.includes(partial[0]!), after.join());
  assert.ok(!after.some((n) => n.endsWith('.tmp')), after.join());
  assert.ok(done.previous !== null && holdsLaterRow(done.previous));
  assert.equal(holdsLaterRow(database), false);
  assert.ok(
    warnings.messages.some((m) => m.includes(join(dataDir, partial[0]!)) && /it was removed/.test(m)),
    warnings.messages.join('\n'),
  );
});
