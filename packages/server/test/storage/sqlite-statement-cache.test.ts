// The SQLite statement cache: a text is prepared once per connection, and long texts (one per row count of a
// multi-row INSERT, about 1.5 MB each prepared at a thousand rows) are kept apart, a handful at most, least recently
// used out first. Counted on a real better-sqlite3 database by its prepare calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { withStatementCache } from '../../src/storage/lib/sqlite.ts';

function counted(): { db: ReturnType<typeof withStatementCache>; prepared: string[]; close(): void } {
  const raw = new BetterSqlite3(':memory:');
  const prepared: string[] = [];
  const db = withStatementCache({
    prepare: (sql: string) => {
      prepared.push(sql);
      return raw.prepare(sql);
    },
    close: () => raw.close(),
  } as Pick<BetterSqlite3.Database, 'prepare' | 'close'>);
  return { db, prepared, close: () => raw.close() };
}

/** A long text per row count, as a multi-row INSERT has (five columns a row, as an event's). */
const rowsOf = (rows: number) =>
  `select count(*) as n from (values ${new Array<string>(rows).fill('(?, ?, ?, ?, ?)').join(', ')})`;

test('a short text is prepared once and reused', () => {
  const c = counted();
  try {
    const a = c.db.prepare('select ? as x');
    const b = c.db.prepare('select ? as x');
    assert.equal(a, b);
    assert.deepEqual(c.prepared, ['select ? as x']);
    assert.deepEqual((a as unknown as BetterSqlite3.Statement).get(7), { x: 7 });
    // Kysely's `begin` takes the write lock first.
    c.db.prepare('begin');
    assert.equal(c.prepared.at(-1), 'begin immediate');
  } finally {
    c.close();
  }
});

test('long texts: at most 8 kept, least recently used out first, and each still runs', () => {
  const c = counted();
  try {
    for (let rows = 2000; rows < 2008; rows++) c.db.prepare(rowsOf(rows));
    assert.equal(c.prepared.length, 8);
    // All 8 are kept; using the first makes the second the least recently used.
    c.db.prepare(rowsOf(2000));
    assert.equal(c.prepared.length, 8);
    c.db.prepare(rowsOf(2008));
    assert.equal(c.prepared.length, 9);
    c.db.prepare(rowsOf(2000));
    assert.equal(c.prepared.length, 9, 'the one used recently stayed');
    c.db.prepare(rowsOf(2001));
    assert.equal(c.prepared.length, 10, 'the least recently used one went');
    const stmt = c.db.prepare(rowsOf(2001)) as unknown as BetterSqlite3.Statement;
    assert.equal(c.prepared.length, 10);
    assert.deepEqual(stmt.get(...new Array<number>(5 * 2001).fill(1)), { n: 2001 });
  } finally {
    c.close();
  }
});

test('a client sending batches of every size holds no more than 8 long statements', () => {
  const c = counted();
  try {
    // 200 sizes, each twice in a row: the second is always served from the cache.
    for (let rows = 1000; rows < 1200; rows++) {
      c.db.prepare(rowsOf(rows));
      c.db.prepare(rowsOf(rows));
    }
    assert.equal(c.prepared.length, 200);
    // Going through them again prepares every one again but the last 8: nothing else was kept.
    for (let rows = 1000; rows < 1200; rows++) c.db.prepare(rowsOf(rows));
    assert.equal(c.prepared.length, 400);
    for (let rows = 1192; rows < 1200; rows++) c.db.prepare(rowsOf(rows));
    assert.equal(c.prepared.length, 400);
    // Short texts are cached apart and are not pushed out by long ones.
    c.db.prepare('select 1');
    for (let rows = 3000; rows < 3020; rows++) c.db.prepare(rowsOf(rows));
    c.db.prepare('select 1');
    assert.equal(c.prepared.filter((s) => s === 'select 1').length, 1);
  } finally {
    c.close();
  }
});
