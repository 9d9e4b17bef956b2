// Tests that start a real server on a port chosen beforehand (its public URL must name the port) probe for a free
// port, close the probe, and then start: the port can be taken in between by another process (the start opens a
// database and makes its keys first), and the start failed with EADDRINUSE, a failure of the test run, not of the
// code under test. startOnFreePort (helpers/net.ts) moves such a start to another port; here the port handed out
// first is held by another listener for the whole start, every time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/start.ts';
import { TEST_ADMIN_KEY } from './helpers/app.ts';
import { freePort, startOnFreePort } from './helpers/net.ts';

test('a start on a port taken since it was probed moves to another free port', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-port-taken-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const taker = createServer().listen(0, '127.0.0.1');
  await once(taker, 'listening');
  t.after(() => new Promise((resolve) => taker.close(resolve)));
  const taken = (taker.address() as AddressInfo).port;
  const start = (port: number) =>
    startServer(
      loadConfig({
        VOUCH_HOST: '127.0.0.1',
        VOUCH_PORT: String(port),
        VOUCH_DATA_DIR: dir,
        VOUCH_ADMIN_KEY: TEST_ADMIN_KEY,
        VOUCH_LOG_LEVEL: 'silent',
      }),
    );

  // What a start on the probed port does when another process took it meanwhile.
  await assert.rejects(start(taken), (err: NodeJS.ErrnoException) => err.code === 'EADDRINUSE');

  const handedOut: number[] = [];
  const server = await startOnFreePort(start, async () => {
    const port = handedOut.length === 0 ? taken : await freePort();
    handedOut.push(port);
    return port;
  });
  try {
    assert.equal(handedOut.length, 2);
    assert.equal(server.address, `http://127.0.0.1:${handedOut[1]}`);
    assert.equal((await fetch(`${server.address}/healthz`)).status, 200);
  } finally {
    await server.close();
  }
});
