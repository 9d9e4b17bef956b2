// <data dir>/admin.key is checked like VOUCH_ADMIN_KEY: a key no x-api-key header can carry is refused at start,
// naming the file, instead of leaving admin access failing with 401.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAdminKey } from '../src/admin-key.ts';
import { ConfigError, loadConfig } from '../src/config.ts';

test('admin.key: generated once, read back trimmed; unusable content refused without quoting it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-admin-key-'));
  try {
    const config = loadConfig({ VOUCH_DATA_DIR: dir });
    const file = join(dir, 'admin.key');
    const first = await resolveAdminKey(config);
    assert.equal(first.generated, true);
    assert.equal(await readFile(file, 'utf8'), `${first.key}\n`);
    // The file's trailing newline is not part of the key (HTTP strips it from the header as well).
    assert.equal((await resolveAdminKey(config)).key, first.key);

    const key = 'vouch_admin_0123456789abcdef';
    for (const [content, reason] of [
      [`${key}\r\nsecond line\n`, /must be printable ASCII/],
      [`${key}\u0000\n`, /must be printable ASCII/],
      [`${key}é\n`, /must be printable ASCII/],
      ['short\n', /at least 16 characters/],
    ] as const) {
      await writeFile(file, content);
      await assert.rejects(resolveAdminKey(config), (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.ok(err.message.startsWith(`The admin key in ${file} `), err.message);
        assert.match(err.message, reason);
        assert.ok(!err.message.includes(key), err.message);
        return true;
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
