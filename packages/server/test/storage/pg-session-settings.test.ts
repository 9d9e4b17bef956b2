// The settings every serving PostgreSQL connection starts with, read back from the server itself: a held lock is
// given up after VOUCH_PG_LOCK_TIMEOUT_MS, a transaction a client left open is ended after a minute, and every query
// runs in the configured schema. Several connections at once, so each pooled connection is checked, not only one.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openStorage } from '../../src/storage/index.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

const pgOnly = { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 };

interface Settings {
  pid: number;
  lock_timeout: string;
  idle: string;
  search_path: string;
  statement_timeout: string;
}

async function settingsOf(lockTimeoutMs: number | undefined): Promise<Settings[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-pg-settings-'));
  const schema = freshSchema();
  const storage = await openStorage({
    dataDir,
    databaseUrl: TEST_DATABASE_URL,
    pgSchema: schema,
    pgPoolMax: 3,
    ...(lockTimeoutMs === undefined ? {} : { pgLockTimeoutMs: lockTimeoutMs }),
  });
  try {
    // pg_sleep holds each connection, so the three reads run on three different pooled connections.
    const reads = [0, 1, 2].map(() =>
      sql<Settings>`select pg_backend_pid() as pid, current_setting('lock_timeout') as lock_timeout,
        current_setting('idle_in_transaction_session_timeout') as idle, current_setting('search_path') as search_path,
        current_setting('statement_timeout') as statement_timeout, pg_sleep(0.05)`.execute(storage.db),
    );
    const rows = (await Promise.all(reads)).map((r) => r.rows[0]!);
    assert.equal(new Set(rows.map((r) => r.pid)).size, 3, 'three connections were read');
    for (const r of rows) assert.equal(r.search_path, schema);
    return rows;
  } finally {
    await storage.close();
    await dropSchema(TEST_DATABASE_URL!, schema);
    await rm(dataDir, { recursive: true, force: true });
  }
}

test(
  'every serving connection waits at most 5 s for a lock by default and ends idle transactions after 1 min',
  pgOnly,
  async () => {
    for (const r of await settingsOf(undefined)) {
      assert.equal(r.lock_timeout, '5s');
      assert.equal(r.idle, '1min');
      // No statement limit of our own: a rebuild over a long history may run long; operators can set one on the role.
      assert.equal(r.statement_timeout, '0');
    }
  },
);

test('VOUCH_PG_LOCK_TIMEOUT_MS reaches every connection; 0 means no lock limit', pgOnly, async () => {
  for (const r of await settingsOf(1234)) assert.equal(r.lock_timeout, '1234ms');
  for (const r of await settingsOf(0)) assert.equal(r.lock_timeout, '0');
});
