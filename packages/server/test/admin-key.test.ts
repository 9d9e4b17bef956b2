// <data dir>/admin.key is checked like VOUCH_ADMIN_KEY: a key no x-api-key header can carry is refused at start,
// naming the file, instead of leaving admin access failing with 401.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAdminKey } from '../src/admin-key.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { hashSecret } from '../src/http/secrets.ts';

test('admin.key: generated once, read back trimmed; unusable content refused without quoting it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-admin-key-'));
  try {
    const config = loadConfig({ VOUCH_DATA_DIR: dir });
    const file = join(dir, 'admin.key');
    const first = await resolveAdminKey(config);
    assert.equal(first.generated, true);
    assert.equal(hashSecret((await readFile(file, 'utf8')).replace(/\n$/, '')), first.digests.current);
    assert.match(await readFile(file, 'utf8'), /^vouch_admin_[\w-]{43}\n$/);
    // The file's trailing newline is not part of the key (HTTP strips it from the header as well).
    assert.deepEqual((await resolveAdminKey(config)).digests, first.digests);

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

test('admin.key: starts racing on a fresh data directory agree on one key; none reads a half-written file', async () => {
  for (let round = 0; round < 5; round++) {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-admin-key-race-'));
    try {
      const config = loadConfig({ VOUCH_DATA_DIR: dir });
      // Before, the file existed empty between its exclusive create and its write: a racing start read '' and
      // stopped with "must be at least 16 characters", and a crash in that gap left it so for good.
      const all = await Promise.all(Array.from({ length: 16 }, () => resolveAdminKey(config)));
      assert.equal(new Set(all.map((r) => r.digests.current)).size, 1);
      assert.equal(all.filter((r) => r.generated).length, 1);
      const written = await readFile(join(dir, 'admin.key'), 'utf8');
      assert.ok(written.endsWith('\n'));
      assert.equal(hashSecret(written.slice(0, -1)), all[0]!.digests.current);
      assert.deepEqual(await readdir(dir), ['admin.key'], 'no temporary file left behind');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
});
