// VOUCH_REQUEST_TIMEOUT_MS is the longest a client may take to send a whole request: then it is answered 408
// REQUEST_TIMEOUT. Fastify set it on the server after creating it, leaving Node's headersTimeout at its 60 s default:
// with a request timeout below that, Node cut a request whose body never finished at the 60 s headers timeout (and
// only at its next 30 s check), so VOUCH_REQUEST_TIMEOUT_MS=1000 let a client hold a request for up to 90 s.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/start.ts';
import { serverEnv } from '../helpers/app.ts';

/** Opens a request whose headers are complete and whose body stops after 3 of its 100 bytes. */
async function stalledBody(address: string): Promise<net.Socket> {
  const { hostname, port } = new URL(address);
  const socket = net.connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(
    'POST /api/registry/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a',
  );
  return socket;
}

test(
  'a request whose body stalls is answered 408 once VOUCH_REQUEST_TIMEOUT_MS has passed',
  { timeout: 30_000 },
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-request-timeout-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const requestTimeoutMs = 1000;
    const config = loadConfig({
      ...serverEnv('sqlite', { dataDir }),
      VOUCH_REQUEST_TIMEOUT_MS: String(requestTimeoutMs),
    });
    const server = await startServer(config);
    t.after(() => server.close());
    // Node accepts no headers timeout above the request timeout when both are given to createServer.
    assert.ok(
      server.app.server.headersTimeout <= requestTimeoutMs,
      `headersTimeout ${server.app.server.headersTimeout}`,
    );

    const started = performance.now();
    const socket = await stalledBody(server.address);
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    // Bounded well under Node's 60 s headers timeout: the cut that came before, and only then.
    const bound = 10_000;
    const closed = once(socket, 'close').then(() => 'closed');
    const late = new Promise<string>((resolve) => setTimeout(resolve, bound, 'late').unref());
    const outcome = await Promise.race([closed, late]);
    socket.destroy();
    assert.equal(outcome, 'closed', `the stalled request was still open after ${bound} ms`);
    const took = performance.now() - started;
    assert.ok(took >= requestTimeoutMs - 50, `cut after ${Math.round(took)} ms, before the request timeout`);
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.match(answer, /"code":"REQUEST_TIMEOUT"/);
  },
);
