// Shutdown with a request that never finishes, or a database link that died silently: after server.close() Node no longer enforces requestTimeout, so
// close() cuts what is still open after the shutdown grace period; idle keep-alive connections close at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/start.ts';
import { openStorage } from '../src/storage/index.ts';
import { LogCapture, serverEnv, TEST_ADMIN_KEY } from './helpers/app.ts';
import { eachEngine, PG_SKIP_REASON, TEST_DATABASE_URL } from './helpers/storage.ts';
import { serve } from './instances/fixtures/serve.ts';
import { pgRelay } from './helpers/pg-relay.ts';
import { dropSchema, freshSchema } from './helpers/pg-schema.ts';

const HEADERS_THEN_STALL =
  'POST /api/registry/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n' +
  'Expect: 100-continue\r\n\r\n';

/**
 * Opens a request that declares 100 body bytes and sends 5. Resolves once the server has parsed the headers (it
 * answered `100 Continue`), so the request is in flight, not an idle connection, when the test stops the server.
 */
async function trickle(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let seen = '';
  const continued = new Promise<void>((resolve, reject) => {
    socket.on('data', (d: Buffer) => {
      seen += d.toString('latin1');
      if (seen.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) resolve();
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed before 100 Continue: ${JSON.stringify(seen)}`)));
  });
  await once(socket, 'connect');
  socket.write(HEADERS_THEN_STALL);
  await continued;
  socket.write('{"tok');
  return socket;
}

/** A keep-alive connection that has been answered once and is now idle. */
async function idleKeepAlive(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (d: Buffer) => {
      seen += d.toString('latin1');
      if (seen.endsWith('{"status":"ok"}')) resolve();
    });
    socket.once('close', () => reject(new Error('closed before answering')));
  });
  return socket;
}

eachEngine(
  'SIGTERM with a stalled request: vouch serve cuts it after the grace period, flushes and exits 0',
  async ({ engine, options, open }) => {
    const env: Record<string, string> = {
      ...serverEnv(engine, options),
      // The grace period is min(VOUCH_REQUEST_TIMEOUT_MS, 25 s): one second here.
      VOUCH_REQUEST_TIMEOUT_MS: '1000',
    };
    // PostgreSQL never creates the KEK file: every instance is given the same one.
    if (env.VOUCH_KEK_FILE !== undefined) {
      await writeFile(env.VOUCH_KEK_FILE, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    }
    const server = await serve(env);
    const logs: Array<{ msg?: string; connections?: number; graceMs?: number }> = [];
    createInterface({ input: server.child.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) logs.push(JSON.parse(line) as (typeof logs)[number]);
    });
    try {
      // Three verifications counted by the rate limiter (batched in memory on PostgreSQL), then the stalled one.
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${server.url}/api/registry/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: 'x' }),
        });
        await r.arrayBuffer();
      }
      const stalled = await trickle(server.url);
      const closed = once(stalled, 'close');
      const started = performance.now();
      server.child.kill('SIGTERM');
      const code = await server.exited;
      const took = performance.now() - started;
      assert.equal(code, 0);
      await closed;
      assert.ok(took >= 900, `exited after ${Math.round(took)} ms, before the grace period ended`);
      assert.ok(took < 10_000, `exited after ${Math.round(took)} ms, long after the 1 s grace period`);
      const cut = logs.find((l) => l.msg === 'closed the connections still open after the shutdown grace period');
      assert.ok(cut !== undefined, 'the cut is logged');
      assert.equal(cut.connections, 1);
      assert.equal(cut.graceMs, 1000);
    } finally {
      await server.stop('SIGKILL');
    }
    // Nothing counted was lost: the stalled request's hit too was written before the database closed.
    const storage = await open();
    const rows = await storage.db
      .selectFrom('rate_limits')
      .select(['bucket', 'count'])
      .where('bucket', 'like', '%/api/registry/verify%')
      .execute();
    assert.equal(
      rows.reduce((n, r) => n + Number(r.count), 0),
      engine === 'postgres' ? 4 : 0, // SQLite counts in memory only
    );
  },
  { timeout: 60_000 },
);

test(
  'close(): idle keep-alive connections close at once, a stalled request is cut after shutdownGraceMs',
  { timeout: 20_000 },
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-drain-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const logs = new LogCapture();
    // Long enough that the idle connection's close is always seen first, however loaded the machine: the order below
    // is between an event and this timer.
    const graceMs = 1000;
    const config = loadConfig({ ...serverEnv('sqlite', { dataDir }), VOUCH_LOG_LEVEL: 'warn' });
    const server = await startServer(config, { logStream: logs, shutdownGraceMs: graceMs });
    const idle = await idleKeepAlive(server.address);
    const stalled = await trickle(server.address);

    const order: string[] = [];
    const idleClosed = once(idle, 'close').then(() => order.push('idle'));
    const stalledClosed = once(stalled, 'close').then(() => order.push('stalled'));
    let stalledAnswer = '';
    stalled.on('data', (d: Buffer) => (stalledAnswer += d.toString('latin1')));
    const started = performance.now();
    await server.close();
    const took = performance.now() - started;
    await Promise.all([idleClosed, stalledClosed]);

    assert.deepEqual(order, ['idle', 'stalled'], 'the idle connection did not wait for the grace period');
    assert.ok(took >= graceMs - 50, `close() took ${Math.round(took)} ms: the stalled request had no grace`);
    assert.equal(stalledAnswer, '', 'the stalled request gets no answer: its connection is cut');
    const cut = logs.lines
      .map((l) => JSON.parse(l) as { msg: string; connections?: number; graceMs?: number })
      .filter((l) => l.msg === 'closed the connections still open after the shutdown grace period');
    assert.deepEqual(
      cut.map((l) => [l.connections, l.graceMs]),
      [[1, graceMs]],
    );
    await assert.rejects(server.storage.ping(), { code: 'DATABASE_UNAVAILABLE' });
    // The database was closed cleanly: it opens again.
    const again = await openStorage({ dataDir });
    await again.close();
  },
);

test(
  'close() with only idle connections returns without waiting for the grace period',
  { timeout: 20_000 },
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-drain-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const logs = new LogCapture();
    // Longer than the test's timeout: a close() that waited for it would fail the test.
    const config = loadConfig({ ...serverEnv('sqlite', { dataDir }), VOUCH_LOG_LEVEL: 'warn' });
    const server = await startServer(config, { logStream: logs, shutdownGraceMs: 60_000 });
    const idle = await Promise.all([idleKeepAlive(server.address), idleKeepAlive(server.address)]);
    const closed = idle.map((s) => once(s, 'close'));
    await server.close();
    await Promise.all(closed);
    assert.equal(logs.lines.length, 0, 'nothing was cut');
  },
);

test(
  'SIGTERM while the database link hangs: vouch serve logs that shutdown did not finish and exits 1, not never',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async (t) => {
    const link = await pgRelay(new URL(TEST_DATABASE_URL!));
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-drain-'));
    const schema = freshSchema();
    t.after(async () => {
      await link.close();
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dataDir, { recursive: true, force: true });
    });
    const env = {
      ...serverEnv('postgres', { dataDir, databaseUrl: link.url, pgSchema: schema }),
      VOUCH_REQUEST_TIMEOUT_MS: '1000',
    };
    const server = await serve(env);
    t.after(() => server.stop('SIGKILL'));
    const logs: Array<{ msg?: string; deadlineMs?: number }> = [];
    createInterface({ input: server.child.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) logs.push(JSON.parse(line) as (typeof logs)[number]);
    });
    const keys = () => fetch(`${server.url}/api/v1/admin/keys`, { headers: { 'x-api-key': TEST_ADMIN_KEY } });
    assert.equal((await keys()).status, 200);
    link.hang();
    // A request whose query is never answered: its pooled connection stays checked out, so the pool cannot end,
    // and the rate limiter's last flush is never answered either.
    const sent = link.nextSend();
    const stuck = keys().catch(() => 'cut');
    await sent;
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 1);
    assert.equal(await stuck, 'cut');
    const late = logs.find((l) => l.msg === 'shutdown did not finish in time; exiting');
    assert.ok(late !== undefined, `the hard exit is logged: ${JSON.stringify(logs.map((l) => l.msg))}`);
    // The grace period (min(VOUCH_REQUEST_TIMEOUT_MS, 25 s)) plus the 4 s the close is given after it.
    assert.equal(late.deadlineMs, 5000);
  },
);
