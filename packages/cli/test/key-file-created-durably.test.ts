// A key or identity file the CLI creates must still be there after a crash that follows the command's success: the
// text is flushed before it is linked into place, and the folder is flushed after the link (until then a power loss
// can forget the new name). What a test can see is which handles are fsynced and what the folder held at that moment;
// that the disk keeps them across a power loss it cannot prove.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createFileWhole } from '@vouch/server/files';
import { cannotSeeSyncs, recordingSyncs } from '../../server/test/helpers/fsync.ts';
import { run, tempDir } from './helpers.ts';

test('createFileWhole flushes the text before the link and the folder after it', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const dir = await tempDir(t, 'vouch-durable-');
  const file = join(dir, 'k.json');
  const synced = await recordingSyncs(async () => {
    // As the CLI calls it.
    assert.equal(await createFileWhole(file, '{"k":1}\n', 0o600, { createWithoutHardLinks: true }), true);
  });
  assert.ok(
    synced.some((s) => s.path.startsWith(`${file}.`) && s.path.includes('.tmp')),
    `the text was flushed before the link: ${JSON.stringify(synced)}`,
  );
  assert.ok(
    synced.some((s) => s.path === dir && s.names.includes('k.json')),
    `the folder was flushed after k.json was linked into it: ${JSON.stringify(synced)}`,
  );
  assert.deepEqual(readdirSync(dir), ['k.json'], 'no temporary file is left behind');
});

test('vouch keygen reports success only after the folder holding the new key file was flushed', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const dir = await tempDir(t, 'vouch-durable-');
  let code = -1;
  const synced = await recordingSyncs(async () => {
    ({ code } = await run('keygen', '--output', join(dir, 'agent.key.json')));
  });
  assert.equal(code, 0);
  assert.ok(synced.some((s) => s.path === dir && s.names.includes('agent.key.json')));
});
