// Named prepared statements on PostgreSQL: parameterised queries (up to MAX_NAMED_PARAMETERS values) are prepared
// once per connection and answer every call with its own values; a schema change that makes a prepared `select *`
// stale fails once, as a retryable DATABASE_UNAVAILABLE, and the next call prepares it again;
// `pgPreparedStatements: false` names nothing.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openStorage, translateErrors } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { MAX_NAMED_PARAMETERS, StatementNames } from '../../src/storage/lib/pg-statements.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';

/** Opens a one-connection pool on a fresh schema, so pg_prepared_statements shows what that connection prepared. */
async function withPostgres(
  t: TestContext,
  prepared: boolean | undefined,
  fn: (storage: Storage, schema: string) => Promise<void>,
): Promise<void> {
  if (TEST_DATABASE_URL === undefined) {
    t.skip(PG_SKIP_REASON);
    return;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-pg-statements-'));
  const schema = freshSchema();
  const storage = await openStorage({
    dataDir,
    databaseUrl: TEST_DATABASE_URL,
    pgSchema: schema,
    pgPoolMax: 1,
    ...(prepared === undefined ? {} : { pgPreparedStatements: prepared }),
  });
  try {
    await fn(storage, schema);
  } finally {
    await storage.close();
    await dropSchema(TEST_DATABASE_URL, schema);
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function preparedTexts(storage: Storage): Promise<Map<string, string>> {
  const { rows } = await sql<{
    name: string;
    statement: string;
  }>`select name, statement from pg_prepared_statements`.execute(storage.db);
  return new Map(rows.map((r) => [r.statement, r.name]));
}

const byJti = (storage: Storage, jti: string) =>
  storage.db.selectFrom('capability_revocations').select(['jti', 'reason']).where('jti', '=', jti).execute();

test('a parameterised query is prepared once per connection and answers each call with its values', async (t) => {
  await withPostgres(t, undefined, async (storage) => {
    const row = (jti: string) => ({ jti, revoked_at: 1, expires_at: 2, reason: `r-${jti}`, revoked_by: 'admin' });
    await storage.db
      .insertInto('capability_revocations')
      .values([row('a'), row('b')])
      .execute();
    // More calls than PostgreSQL's five custom plans, so the generic plan answers too.
    for (let i = 0; i < 8; i++) {
      assert.deepEqual(await byJti(storage, 'a'), [{ jti: 'a', reason: 'r-a' }]);
      assert.deepEqual(await byJti(storage, 'b'), [{ jti: 'b', reason: 'r-b' }]);
      assert.deepEqual(await byJti(storage, "a' or '1'='1"), []);
    }
    const texts = await preparedTexts(storage);
    const text = byJtiText(storage);
    assert.match(texts.get(text) ?? '', /^vouch_\d+$/, 'the select is a named statement on this connection');
    // Parameterless statements (begin, commit, this very listing) stay unnamed.
    assert.ok(![...texts.keys()].some((s) => /^(begin|commit|select name, statement)/i.test(s)));
    // A transaction runs its parameterised statements named too, and sees its own writes.
    await storage.db.transaction().execute(async (trx) => {
      await trx.insertInto('capability_revocations').values(row('c')).execute();
      const rows = await trx
        .selectFrom('capability_revocations')
        .select(['jti', 'reason'])
        .where('jti', '=', 'c')
        .execute();
      assert.deepEqual(rows, [{ jti: 'c', reason: 'r-c' }]);
    });
    assert.deepEqual(await byJti(storage, 'c'), [{ jti: 'c', reason: 'r-c' }]);
  });
});

function byJtiText(storage: Storage): string {
  return storage.db.selectFrom('capability_revocations').select(['jti', 'reason']).where('jti', '=', 'x').compile().sql;
}

test('a prepared select * made stale by another connection adding a column fails once, retryably', async (t) => {
  await withPostgres(t, undefined, async (storage, schema) => {
    await sql`create table stale_probe (id text primary key, a int not null)`.execute(storage.db);
    await sql`insert into stale_probe values ('x', 1)`.execute(storage.db);
    const read = () =>
      translateErrors(() =>
        sql<Record<string, unknown>>`select * from stale_probe where id = ${'x'}`.execute(storage.db),
      );
    assert.deepEqual((await read()).rows, [{ id: 'x', a: 1 }]);
    // Another process's migration, on its own connection.
    const other = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
    await other.connect();
    try {
      await other.query('alter table stale_probe add column b int not null default 7');
    } finally {
      await other.end();
    }
    await assert.rejects(read(), (err: unknown) => (err as { code?: string }).code === 'DATABASE_UNAVAILABLE');
    assert.deepEqual((await read()).rows, [{ id: 'x', a: 1, b: 7 }], 'the retry prepares it again');
    assert.deepEqual((await read()).rows, [{ id: 'x', a: 1, b: 7 }]);
  });
});

test('a later patch of pg.Client.prototype.query (tracing, recorders) still sees every named query', async (t) => {
  await withPostgres(t, undefined, async (storage) => {
    await byJti(storage, 'warm'); // the pool's connection exists before the patch
    const seen: unknown[] = [];
    const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    proto.query = function (this: unknown, ...args: unknown[]) {
      seen.push(args[0]);
      return original.apply(this, args);
    };
    try {
      assert.deepEqual(await byJti(storage, 'a'), []);
    } finally {
      proto.query = original;
    }
    assert.equal(seen.length, 1);
    const config = seen[0] as { name?: string; text?: string; values?: unknown[] };
    assert.match(config.name ?? '', /^vouch_\d+$/);
    assert.equal(config.text, byJtiText(storage));
    assert.deepEqual(config.values, ['a']);
  });
});

test('a query binding more than MAX_NAMED_PARAMETERS values runs unnamed (multi-row batches)', async (t) => {
  await withPostgres(t, undefined, async (storage) => {
    const jtis = (n: number) => Array.from({ length: n }, (_, i) => `j${i}`);
    const inList = (n: number) =>
      storage.db.selectFrom('capability_revocations').select('jti').where('jti', 'in', jtis(n));
    assert.deepEqual(await inList(MAX_NAMED_PARAMETERS).execute(), []);
    assert.deepEqual(await inList(MAX_NAMED_PARAMETERS + 1).execute(), []);
    const texts = await preparedTexts(storage);
    assert.ok(texts.has(inList(MAX_NAMED_PARAMETERS).compile().sql), 'at the bound: named');
    assert.ok(!texts.has(inList(MAX_NAMED_PARAMETERS + 1).compile().sql), 'past the bound: unnamed');
  });
});

test('pgPreparedStatements: false sends every query unnamed', async (t) => {
  await withPostgres(t, false, async (storage) => {
    for (let i = 0; i < 3; i++) assert.deepEqual(await byJti(storage, 'a'), []);
    assert.equal((await preparedTexts(storage)).size, 0);
  });
});

test('statement names: one per text, bounded, and a renamed text gets a fresh name', () => {
  const names = new StatementNames(2);
  const a = names.nameFor('select $1');
  const b = names.nameFor('select $1, $2');
  assert.ok(a !== undefined && b !== undefined && a !== b);
  assert.equal(names.nameFor('select $1'), a);
  assert.equal(names.nameFor('select $1, $2, $3'), undefined, 'past the bound, a new text runs unnamed');
  assert.equal(names.size, 2);
  names.rename('select $1');
  const renamed = names.nameFor('select $1');
  assert.ok(renamed !== undefined && renamed !== a && renamed !== b);
  names.rename('never named');
  assert.equal(names.nameFor('never named'), undefined);
});
