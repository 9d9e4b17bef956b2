// A key file the start reads (the KEK file, VOUCH_KEK_FILE or <data dir>/kek.key, and <data dir>/admin.key) that is
// not a regular file stops the start at once, naming the setting and what the file is. A named pipe used to hang the
// start for good (open() waited for a writer that never came); a directory at admin.key gave Node's bare EISDIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config.ts';
import { startServer } from '../src/start.ts';
import { TEST_ADMIN_KEY } from './helpers/app.ts';

const PROMPT_MS = 5_000;

/**
 * The start's refusal, or a test failure if it takes longer than PROMPT_MS: a watchdog for a hang, not a sleep (a
 * passing run never waits for it). On a hang, a writer opens and closes the pipe so the stuck open() returns.
 */
async function refusal(env: Record<string, string>, cwd: string, fifo: string): Promise<Error> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), PROMPT_MS);
  });
  const started = startServer(
    loadConfig({ VOUCH_PORT: '0', VOUCH_PUBLIC_URL: 'http://vouch.test', VOUCH_LOG_LEVEL: 'silent', ...env }, cwd),
  ).then(
    async (server) => {
      await server.close();
      return new Error('the server started');
    },
    (err: unknown) => err as Error,
  );
  const outcome = await Promise.race([started, hung]);
  clearTimeout(timer);
  if (outcome === 'hung') {
    const writer = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined);
    await writer?.close();
    await started;
    assert.fail(`the start did not end within ${PROMPT_MS} ms`);
  }
  return outcome;
}

async function withDir(body: (dir: string, dataDir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-key-kinds-'));
  const dataDir = join(dir, 'data');
  await mkdir(dataDir, { mode: 0o700 });
  try {
    await body(dir, dataDir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a VOUCH_KEK_FILE that is a named pipe stops the start at once, naming the setting', async () => {
  await withDir(async (dir, dataDir) => {
    const fifo = join(dir, 'kek.fifo');
    execFileSync('mkfifo', [fifo]);
    const err = await refusal(
      { VOUCH_DATA_DIR: dataDir, VOUCH_KEK_FILE: fifo, VOUCH_ADMIN_KEY: TEST_ADMIN_KEY },
      dir,
      fifo,
    );
    assert.equal((err as { code?: string }).code, 'KEK_INVALID', String(err));
    assert.match(err.message, /VOUCH_KEK_FILE/);
    assert.match(err.message, /named pipe/);
  });
});

test('a kek.key in the data folder that is a named pipe stops the start at once, naming VOUCH_DATA_DIR', async () => {
  await withDir(async (dir, dataDir) => {
    const fifo = join(dataDir, 'kek.key');
    execFileSync('mkfifo', [fifo]);
    const err = await refusal({ VOUCH_DATA_DIR: dataDir, VOUCH_ADMIN_KEY: TEST_ADMIN_KEY }, dir, fifo);
    assert.equal((err as { code?: string }).code, 'KEK_INVALID', String(err));
    assert.match(err.message, /VOUCH_DATA_DIR/);
    assert.match(err.message, /named pipe/);
  });
});

test('an admin.key that is a named pipe stops the start at once with a ConfigError naming VOUCH_ADMIN_KEY', async () => {
  await withDir(async (dir, dataDir) => {
    const fifo = join(dataDir, 'admin.key');
    execFileSync('mkfifo', [fifo]);
    const err = await refusal({ VOUCH_DATA_DIR: dataDir }, dir, fifo);
    assert.ok(err instanceof ConfigError, String(err));
    assert.match(err.message, /admin\.key/);
    assert.match(err.message, /VOUCH_ADMIN_KEY/);
    assert.match(err.message, /named pipe/);
  });
});

test('an admin.key that is a folder or a device, or too large, stops the start with a ConfigError saying so', async () => {
  await withDir(async (dir, dataDir) => {
    const file = join(dataDir, 'admin.key');
    await mkdir(file);
    const asDir = await refusal({ VOUCH_DATA_DIR: dataDir }, dir, file);
    assert.ok(asDir instanceof ConfigError, String(asDir));
    assert.match(asDir.message, /admin\.key is a directory/);
    await rm(file, { recursive: true });

    // /dev/zero would be read for ever, filling memory; it is refused unread, as is a file far larger than any key.
    execFileSync('ln', ['-s', '/dev/zero', file]);
    const asDevice = await refusal({ VOUCH_DATA_DIR: dataDir }, dir, file);
    assert.ok(asDevice instanceof ConfigError, String(asDevice));
    assert.match(asDevice.message, /admin\.key is a character device/);
    await rm(file);

    await writeFile(file, 'x'.repeat(64 * 1024), { mode: 0o600 });
    const large = await refusal({ VOUCH_DATA_DIR: dataDir }, dir, file);
    assert.ok(large instanceof ConfigError, String(large));
    assert.match(large.message, /admin\.key is larger than/);
  });
});
