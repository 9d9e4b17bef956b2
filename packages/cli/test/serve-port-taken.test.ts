// The walkthrough test starts `npm start` (vouch serve) on a port it probed beforehand, since the commands after it
// name that port; another process could bind the port between the probe and the server's listen, and the run failed
// with EADDRINUSE, a failure of the test run, not of the code under test. startServing (background-server.ts) starts
// the command again on another port then. Here the port handed out first is held by another listener, every time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../server/test/helpers/net.ts';
import { startBackground, startServing } from './background-server.ts';
import { BIN, tempDir } from './helpers.ts';

test('vouch serve started on a port taken since it was probed is started again on another port', async (t) => {
  const dir = await tempDir(t, 'vouch-serve-port-taken-');
  const taker = createServer().listen(0, '127.0.0.1');
  await once(taker, 'listening');
  t.after(() => new Promise((resolve) => taker.close(resolve)));
  const taken = (taker.address() as AddressInfo).port;
  const text = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} serve`;
  const envFor = (port: number): Record<string, string> => ({
    PATH: process.env.PATH ?? '',
    HOME: dir,
    VOUCH_PORT: String(port),
    VOUCH_DATA_DIR: join(dir, 'data'),
    VOUCH_LOG_LEVEL: 'info',
  });

  // What the server does on the probed port when another process took it meanwhile.
  await assert.rejects(startBackground(text, dir, envFor(taken)), (err: NodeJS.ErrnoException) => {
    assert.equal(err.code, 'EADDRINUSE', err.message);
    return true;
  });

  const handedOut: number[] = [];
  const server = await startServing(text, dir, envFor, async () => {
    const port = handedOut.length === 0 ? taken : await freePort();
    handedOut.push(port);
    return port;
  });
  t.after(() => server.stop());
  assert.equal(handedOut.length, 2);
  assert.equal(server.port, handedOut[1]);
  assert.equal((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status, 200);
  await server.stop();
  assert.equal(server.child.exitCode, 0);
});
