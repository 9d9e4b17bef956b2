// The README runs the server with `npm start`, and an orchestrator (a container's entrypoint, systemd) stops it with
// SIGTERM sent to that process alone, not to its process group. npm passes the signal to the shell running the
// script; a shell that waited for `vouch serve` died and left the server running, orphaned, never shut down: it kept
// the port and the database open and its in-flight requests were cut by the later SIGKILL. The script execs the
// server, so the signal reaches it and it stops as docs/operations.md says ("Stopping").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from '../../server/test/helpers/net.ts';
import { within } from '../../server/test/helpers/within.ts';
import { tempDir } from './helpers.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

test('SIGTERM to npm start alone stops the server it started, gracefully', async (t) => {
  const dir = await tempDir(t, 'vouch-npm-start-sigterm-');
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      VOUCH_PORT: String(port),
      VOUCH_DATA_DIR: join(dir, 'data'),
      VOUCH_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that whatever it leaves behind is killed after the test.
    detached: true,
  });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  // Every process holding the output pipe has exited once it closes: npm and the server it started.
  const closed = once(child, 'close');
  t.after(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Nothing left in the group.
    }
  });
  // Generous waits (npm, then the server, start in 10 s here while another suite runs): an orphaned server never
  // closes the output pipe, however long the test waits.
  await within(
    60_000,
    () => `the server logs that it listens:\n${log}`,
    async () => log.includes('"msg":"vouch server listening"'),
  );

  child.kill('SIGTERM');
  let done = false;
  void closed.then(() => (done = true));
  await within(
    30_000,
    () => `npm and the server both exit (the output pipe closes):\n${log}`,
    async () => done,
  );
  assert.match(log, /"signal":"SIGTERM".*"msg":"shutting down"/);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'nothing listens on the port any more');
});
