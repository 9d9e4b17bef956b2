// A lost PostgreSQL connection is replaced by the pool and said in the log: the storage reports each loss with its
// cause (a backend terminated by the test's own session here; the URL never in it), and the server logs the first
// at once, then at most one line per 10 s with the count of those left unlogged.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { ManualClock } from '../../src/clock.ts';
import { connectionLossLog, CONNECTION_LOSS_LOG_EVERY_MS } from '../../src/connection-loss-log.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startServer } from '../../src/start.ts';
import { openStorage } from '../../src/storage/index.ts';
import { LogCapture, serverEnv } from '../helpers/app.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

test(
  'an idle pooled connection terminated by PostgreSQL is reported with its cause, and the pool goes on',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-conn-loss-'));
    const schema = freshSchema();
    const causes: string[] = [];
    let reported: () => void = () => undefined;
    const storage = await openStorage({
      dataDir,
      databaseUrl: TEST_DATABASE_URL,
      pgSchema: schema,
      pgPoolMax: 1,
      onConnectionLost: (cause) => {
        causes.push(cause);
        reported();
      },
    });
    const other = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await other.connect();
    try {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(storage.db);
      const pid = rows[0]!.pid;
      const lost = new Promise<void>((resolve) => (reported = resolve));
      await other.query('select pg_terminate_backend($1)', [pid]);
      await lost;
      assert.equal(causes.length, 1);
      // 57P01: admin_shutdown, "terminating connection due to administrator command".
      assert.match(causes[0]!, /^57P01: terminating connection/);
      assert.ok(!causes[0]!.includes(TEST_DATABASE_URL!), 'the URL is never in the cause');
      // The pool replaced it: the next query runs on a new backend.
      const again = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(storage.db);
      assert.notEqual(again.rows[0]!.pid, pid);
    } finally {
      await other.end();
      await storage.close();
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dataDir, { recursive: true, force: true });
    }
  },
);

test('connection losses are logged at once, then at most once per period with the count left unlogged', () => {
  const logs = new LogCapture();
  const clock = new ManualClock(1_000_000);
  const lost = connectionLossLog(createLogger('info', logs), clock);
  lost('57P01: terminating connection due to administrator command');
  lost('57P01: terminating connection due to administrator command');
  clock.advance(CONNECTION_LOSS_LOG_EVERY_MS - 1);
  lost('ECONNRESET: read ECONNRESET');
  clock.advance(1);
  lost('ECONNRESET: read ECONNRESET');
  const lines = logs.lines.map(
    (l) => JSON.parse(l) as { level: number; msg: string; cause: string; suppressed: number },
  );
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg, l.cause, l.suppressed]),
    [
      [
        40,
        'lost a database connection; the pool replaces it',
        '57P01: terminating connection due to administrator command',
        0,
      ],
      [40, 'lost a database connection; the pool replaces it', 'ECONNRESET: read ECONNRESET', 2],
    ],
  );
});

test(
  'a running server says in its log when PostgreSQL drops one of its connections',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-conn-loss-'));
    const schema = freshSchema();
    t.after(async () => {
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dataDir, { recursive: true, force: true });
    });
    const logs = new LogCapture();
    const config = loadConfig({
      ...serverEnv('postgres', { dataDir, databaseUrl: TEST_DATABASE_URL, pgSchema: schema }),
      VOUCH_LOG_LEVEL: 'warn',
    });
    const server = await startServer(config, { logStream: logs });
    t.after(() => server.close());
    const other = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await other.connect();
    t.after(() => other.end());
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(server.storage.db);
    await other.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
    const said = () => logs.lines.find((l) => l.includes('lost a database connection'));
    // The loss arrives as a socket event: wait for it by turns of the event loop, not by time.
    while (said() === undefined) await new Promise((resolve) => setImmediate(resolve));
    const line = JSON.parse(said()!) as { level: number; cause: string };
    assert.equal(line.level, 40);
    assert.match(line.cause, /^57P01: /);
    assert.ok(!logs.text().includes(TEST_DATABASE_URL!), 'the URL is never logged');
  },
);
