// A VOUCH_DATA_DIR that cannot be the data folder (a file is there, or a folder the process may not create) stops the
// start with a ConfigError naming the setting and the cause; it was Node's bare "EEXIST: file already exists, mkdir".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config.ts';
import { startServer } from '../src/start.ts';

test('a VOUCH_DATA_DIR that is a file stops the start naming the setting', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-data-dir-'));
  try {
    const file = join(dir, 'not-a-folder');
    await writeFile(file, 'x');
    for (const dataDir of [file, join(file, 'below')]) {
      await assert.rejects(
        startServer(loadConfig({ VOUCH_PORT: '4100', VOUCH_DATA_DIR: dataDir, VOUCH_LOG_LEVEL: 'silent' }, dir)),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, String(err));
          assert.match(err.message, /^VOUCH_DATA_DIR: cannot use .* as the data folder \((EEXIST|ENOTDIR)\)/);
          return true;
        },
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
