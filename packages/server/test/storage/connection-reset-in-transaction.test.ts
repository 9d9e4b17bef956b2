// A PostgreSQL link reset (ECONNRESET: a failover, a middlebox dropping the connection) while a transaction holds it
// is DATABASE_UNAVAILABLE (503), as a link lost during a query is (database-faults.test.ts). pg marks the client
// "not queryable" at the reset; the transaction's next statement and Kysely's rollback then fail with that message,
// and the rollback's error is the one the caller gets. The reset is made by a relay of the test's own on loopback.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openStorage, StorageError, translateErrors } from '../../src/storage/index.ts';
import { pgRelay } from '../helpers/pg-relay.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

test(
  'a link reset while a transaction holds it fails the transaction as DATABASE_UNAVAILABLE; the pool goes on',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async () => {
    const link = await pgRelay(new URL(TEST_DATABASE_URL!));
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-reset-'));
    const schema = freshSchema();
    let lost: () => void = () => undefined;
    const storage = await openStorage({
      dataDir,
      databaseUrl: link.url,
      pgSchema: schema,
      pgPoolMax: 1,
      onConnectionLost: () => lost(),
    });
    try {
      const err = await translateErrors(() =>
        storage.db.transaction().execute(async (trx) => {
          await sql`select 1`.execute(trx);
          const heard = new Promise<void>((resolve) => (lost = resolve));
          link.reset();
          // The client heard the reset (its 'error' event) before the next statement is sent.
          await heard;
          await sql`select count(*) from meta`.execute(trx);
        }),
      ).then(
        () => assert.fail('the transaction committed over a reset link'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof StorageError, String(err));
      assert.equal(err.code, 'DATABASE_UNAVAILABLE');
      // The dead client is not handed out again.
      await storage.ping();
    } finally {
      await link.close();
      await storage.close();
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dataDir, { recursive: true, force: true });
    }
  },
);
