// What `vouch restore` tells the operator in its human form, line by line: restore.test.ts held most lines by a part
// of them only (`agents +1`, the start of a KEK line), so the table's alignment, the schema line, the KEK line of a
// matching key and the end of the others could change or go without a test failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkKek, openStorage, readKek } from '../../server/src/storage/index.ts';
import { writeTestKek } from '../../server/test/helpers/app.ts';
import { run, tempDir } from './helpers.ts';

const ROTATE =
  'If the backup is older than the database it replaces, rotate the token and capability keys once a server is up: ' +
  'vouch keys rotate --compromised, and vouch keys rotate --purpose capability --compromised (docs/operations.md, ' +
  '"Backup and restore").';

test('vouch restore describes the restore, the KEK and what to do next line by line', async (t) => {
  const dir = await tempDir(t);
  const dataDir = join(dir, 'data');
  const storage = await openStorage({ dataDir });
  writeTestKek(join(dataDir, 'kek.key'));
  await checkKek(storage, await readKek(join(dataDir, 'kek.key')), 1);
  await storage.close();
  const backup = join(dir, 'backup.db');
  const b = await run('backup', '--output', backup, '--data-dir', dataDir);
  assert.equal(b.code, 0, b.err);

  const j = await run('restore', '--input', backup, '--data-dir', join(dir, 'json'), '--json');
  assert.equal(j.code, 0, j.err);
  const done = JSON.parse(j.out) as { schemaVersion: string; tables: Record<string, number> };

  const r = await run('restore', '--input', backup, '--data-dir', dataDir, '--force');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.match(lines[0]!, /^restored .*\/data\/vouch\.db \(\d+ bytes\) from .*\/backup\.db$/);
  assert.equal(lines[1], `schema ${done.schemaVersion}; rows:`);
  // One line a table, its count in one column two spaces after the longest name.
  const names = Object.keys(done.tables);
  const width = Math.max(...names.map((n) => n.length));
  const rows = lines.slice(2, 2 + names.length);
  assert.deepEqual(
    rows.map((l) => /^ {2}(\S+) +(\d+)$/.exec(l)?.slice(1)),
    Object.entries(done.tables).map(([n, c]) => [n, String(c)]),
  );
  for (const row of rows) assert.equal(row.search(/\d+$/), 2 + width + 2, row);
  assert.match(lines[2 + names.length]!, /^The database it replaced is kept as .*\/vouch\.db\.before-restore-/);
  assert.deepEqual(lines.slice(3 + names.length), [
    `The KEK in ${join(dataDir, 'kek.key')} is the one its server keys are sealed under.`,
    ROTATE,
  ]);

  // Another key there, and a file there that holds none: the line says so, and what to do, to its end.
  const other = join(dir, 'other');
  await mkdir(other, { mode: 0o700 });
  await writeFile(join(other, 'kek.key'), `${'ab'.repeat(32)}\n`, { mode: 0o600 });
  const differs = await run('restore', '--input', backup, '--data-dir', other);
  assert.equal(differs.code, 0, differs.err);
  assert.deepEqual(differs.out.trimEnd().split('\n').slice(-2), [
    `The KEK in ${join(other, 'kek.key')} is NOT the one its server keys are sealed under: put the KEK of the ` +
      'deployment the backup came from there, or the server stops with KEK_MISMATCH.',
    ROTATE,
  ]);
  // Nothing there before: no database kept, and no KEK.
  const fresh = join(dir, 'fresh');
  const missing = await run('restore', '--input', backup, '--data-dir', fresh);
  assert.equal(missing.code, 0, missing.err);
  assert.deepEqual(missing.out.trimEnd().split('\n').slice(-3), [
    'There was no database there before.',
    `There is no KEK at ${join(fresh, 'kek.key')}: put the KEK of the deployment the backup came from there before ` +
      'starting the server.',
    ROTATE,
  ]);
  const bad = join(dir, 'bad');
  await mkdir(bad, { mode: 0o700 });
  await writeFile(join(bad, 'kek.key'), 'not a key\n', { mode: 0o600 });
  const unreadable = await run('restore', '--input', backup, '--data-dir', bad);
  assert.equal(unreadable.code, 0, unreadable.err);
  const kekLine = unreadable.out.trimEnd().split('\n').at(-2)!;
  // The problem's own sentence ends with a full stop, dropped inside the parentheses.
  assert.match(
    kekLine,
    new RegExp(
      `^The KEK file ${join(bad, 'kek.key')} is there but cannot be used \\([^()]*must hold 32 bytes[^()]*[^.]\\): ` +
        'put the KEK of the deployment the backup came from there before starting the server, or it stops with ' +
        'KEK_INVALID\\.$',
    ),
  );
});
