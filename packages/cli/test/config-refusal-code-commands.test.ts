// `vouch kek rewrap`, `vouch backup` and `vouch restore` read the server's configuration and end their other refusals
// with a stable code (KEK_MISMATCH, BACKUP_*, DATABASE_UNAVAILABLE), but a bad setting with the message alone, where
// docs/operations.md documents CONFIG_INVALID: as `vouch serve` now does, each ends it with (CONFIG_INVALID).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runClean, tempDir } from './helpers.ts';

test('kek rewrap, backup and restore end a configuration refusal with CONFIG_INVALID', async (t) => {
  const dir = await tempDir(t, 'vouch-config-code-');
  const env = { VOUCH_DATABASE_URL: '', VOUCH_PUBLIC_URL: '', VOUCH_DATA_DIR: dir, VOUCH_PORT: 'eighty' };
  const commands = [
    ['kek', 'rewrap', '--new-kek-file', join(dir, 'new.key')],
    ['backup', '--output', join(dir, 'out.db')],
    ['restore', '--input', join(dir, 'in.db')],
  ];
  for (const args of commands) {
    const r = await runClean(env, ...args);
    assert.equal(r.code, 2, `${args[0]}: ${r.err}`);
    assert.equal(r.err, 'vouch: VOUCH_PORT must be a whole number, got "eighty" (CONFIG_INVALID)\n', args[0]);
  }
});
