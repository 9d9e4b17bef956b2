// config.json (the default identity) is replaced by renaming a temporary file over it: the rename is atomic, but
// without the text flushed first a crash after it can leave config.json empty on disk (and the default forgotten).
// The temporary file's text is now flushed before the rename, as createFileWhole flushes an identity file's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cannotSeeSyncs, recordingSyncs } from '../../server/test/helpers/fsync.ts';
import { setDefaultAlias } from '../src/identity-store.ts';
import { tempDir } from './helpers.ts';

test('setDefaultAlias flushes the new config.json text before renaming it into place', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const home = await tempDir(t, 'vouch-config-durable-');
  const env = { VOUCH_HOME: home };
  const synced = await recordingSyncs(() => setDefaultAlias('bot', env));
  assert.ok(
    synced.some((s) => s.path.startsWith(join(home, 'config.json.')) && s.path.endsWith('.tmp')),
    `the temporary file was flushed before the rename: ${JSON.stringify(synced)}`,
  );
  assert.deepEqual(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')), { defaultAlias: 'bot' });
  assert.deepEqual(readdirSync(home).sort(), ['config.json', 'identities'], 'no temporary file is left behind');
});
