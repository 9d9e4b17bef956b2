// The settings every serving PostgreSQL connection starts with, read back from the server itself: a held lock is
// given up after VOUCH_PG_LOCK_TIMEOUT_MS, a transaction a client left open is ended after a minute, and every query
// runs in the configured schema. Several connections at once, so each pooled connection is checked, not only one.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { splitOptions } from '../../src/storage/lib/postgres.ts';
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

/** `url` with `query` (`a=b&c=d`) added to its own query string, if any. */
function withQuery(url: string, query: string): string {
  if (query === '') return url;
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

async function settingsOf(lockTimeoutMs: number | undefined, urlQuery = ''): Promise<Settings[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-pg-settings-'));
  const schema = freshSchema();
  const storage = await openStorage({
    dataDir,
    databaseUrl: withQuery(TEST_DATABASE_URL!, urlQuery),
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

test("the URL's own options= add to Vouch's settings instead of replacing them", pgOnly, async () => {
  // pg lets a connection string's options replace the pool's outright: this used to drop lock_timeout, the idle
  // limit and the schema, so queries ran in public.
  const query = `options=${encodeURIComponent('-c statement_timeout=7000 -c search_path=public -c lock_timeout=1')}`;
  for (const r of await settingsOf(1234, query)) {
    assert.equal(r.statement_timeout, '7s');
    assert.equal(r.lock_timeout, '1234ms', "Vouch's lock timeout comes last and holds");
    assert.equal(r.idle, '1min');
  }
  for (const r of await settingsOf(undefined, 'application_name=vouch-test&options=-c+statement_timeout%3D8000')) {
    assert.equal(r.statement_timeout, '8s');
    assert.equal(r.lock_timeout, '5s');
  }
});

test('splitOptions: takes every options= out of the URL, keeps the rest as written', () => {
  assert.deepEqual(splitOptions('postgres://u@h/db'), { url: 'postgres://u@h/db', options: undefined });
  assert.deepEqual(splitOptions('postgres://u@h/db?sslmode=disable&options=-c%20a%3D1&options=-c+b=2&x=1#f'), {
    url: 'postgres://u@h/db?sslmode=disable&x=1#f',
    options: '-c a=1 -c b=2',
  });
  assert.deepEqual(splitOptions('postgres://u@h/db?options='), { url: 'postgres://u@h/db', options: undefined });
  // Not decodable: left in place for pg to read as it would have.
  assert.deepEqual(splitOptions('postgres://u@h/db?options=%E0'), {
    url: 'postgres://u@h/db?options=%E0',
    options: undefined,
  });
});
