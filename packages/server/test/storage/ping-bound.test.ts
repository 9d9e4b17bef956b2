// /readyz must answer while the database hangs: ping() gives up after PING_TIMEOUT_MS. The database link hangs
// through a TCP relay of the test's own on loopback that stops forwarding (the PostgreSQL server is never touched).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStorage, PING_TIMEOUT_MS, StorageError } from '../../src/storage/index.ts';
import { pgRelay } from '../helpers/pg-relay.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

test(
  'ping() answers DATABASE_UNAVAILABLE within its bound while the database link hangs',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async () => {
    const link = await pgRelay(new URL(TEST_DATABASE_URL!));
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
