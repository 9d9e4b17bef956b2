// A consumer whose VOUCH_TRUST_REGISTRY_URL is a file path reads it only if it is a regular file, opened without
// blocking: a named pipe there hung the refresh for good (stat saw size 0, then readFile waited for a writer), and a
// device such as /dev/zero passed the size check (0) and was read without end. Both answer UNREACHABLE at once.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdtemp, open as openFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, post } from './fixtures.ts';

eachEngine('consumer: a registry file that is a named pipe or a device is refused at once', async ({ open }) => {
  const root = await generateKeyPair('Ed25519');
  const dir = await mkdtemp(join(tmpdir(), 'vouch-consumer-kinds-'));
  const fifo = join(dir, 'registry.fifo');
  execFileSync('mkfifo', [fifo]);
  // A watchdog for a hang, not a sleep: on one, a writer opens and closes the pipe so the stuck read returns.
  const watchdog = setInterval(() => {
    void openFile(fifo, constants.O_WRONLY | constants.O_NONBLOCK).then(
      (h) => h.close(),
      () => undefined,
    );
  }, 5_000);
  try {
    const storage = await open();
    for (const [source, kind] of [
      [fifo, /is a named pipe/],
      ['/dev/zero', /is a character device/],
    ] as const) {
      const app = await makeApp(storage, {
        env: { VOUCH_TRUST_REGISTRY_URL: source, VOUCH_TRUST_REGISTRY_ROOT_KEY: root.publicKeyRegistry! },
      });
      try {
        const started = Date.now();
        const r = await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey));
        assert.ok(Date.now() - started < 5_000, `${source}: the refresh did not wait`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.outcome, 'UNREACHABLE');
        assert.match(String(r.body.message), kind);
      } finally {
        await app.app.close();
      }
    }
  } finally {
    clearInterval(watchdog);
    await rm(dir, { recursive: true, force: true });
  }
});
