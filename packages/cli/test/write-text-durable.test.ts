// writeText (registry build and sign, registry credential --output) wrote its temporary file and renamed it over the
// target without flushing either: a crash soon after the command's success could leave the target empty or as it
// was. The text is now flushed before the rename and the folder after it, as createFileWhole does. What a test can see
// is which handles are fsynced and what the folder held then; that the disk keeps them across a power loss it cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeText } from '../src/commands/registry/lib/layout.ts';
import { cannotSeeSyncs, recordingSyncs } from '../../server/test/helpers/fsync.ts';
import { tempDir } from './helpers.ts';

test('writeText flushes the text before the rename and the folder after it', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const dir = await tempDir(t, 'vouch-write-text-');
  const file = join(dir, 'credential.jwt');
  writeFileSync(file, 'old\n', { mode: 0o644 });
  const synced = await recordingSyncs(() => writeText(file, 'new\n', { mode: 0o600 }));
  const text = synced.findIndex((s) => s.path.startsWith(`${file}.`) && s.path.endsWith('.tmp'));
  const folder = synced.findIndex((s) => s.path === dir && s.names.includes('credential.jwt'));
  assert.ok(text >= 0, `the text was flushed: ${JSON.stringify(synced)}`);
  assert.ok(folder > text, `the folder was flushed after the rename: ${JSON.stringify(synced)}`);
  assert.deepEqual(synced[folder]!.names, ['credential.jwt'], 'the temporary file was renamed before the flush');
  assert.equal(readFileSync(file, 'utf8'), 'new\n');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['credential.jwt'], 'no temporary file is left behind');
});
