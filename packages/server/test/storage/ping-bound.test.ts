// /readyz must answer while the database hangs: ping() gives up after PING_TIMEOUT_MS. The database link hangs
// through a TCP relay of the test's own on loopback that stops forwarding (the PostgreSQL server is never touched).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStorage, PING_TIMEOUT_MS, StorageError } from '../../src/storage/index.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

/** A loopback relay to PostgreSQL that can stop forwarding what the server sends, leaving every query unanswered. */
async function relay(target: URL) {
  let hung = false;
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.push(client, upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (!hung) client.write(chunk);
    });
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target.href);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.href,
    hang: () => (hung = true),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test(
  'ping() answers DATABASE_UNAVAILABLE within its bound while the database link hangs',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async () => {
    const link = await relay(new URL(TEST_DATABASE_URL!));
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-ping-'));
    const schema = freshSchema();
    const storage = await openStorage({ dataDir, databaseUrl: link.url, pgSchema: schema, pgPoolMax: 1 });
    try {
      await storage.ping();
      link.hang();
      // A ping without a bound never returns here: the test would end on its own timeout instead.
      await assert.rejects(storage.ping(), (err: unknown) => {
        assert.ok(err instanceof StorageError);
        assert.equal(err.code, 'DATABASE_UNAVAILABLE');
        assert.match(String((err.cause as Error).message), new RegExp(`no answer within ${PING_TIMEOUT_MS} ms`));
        return true;
      });
    } finally {
      await link.close();
      await storage.close();
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dataDir, { recursive: true, force: true });
    }
  },
);
