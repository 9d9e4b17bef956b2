// BatchedRateLimitStore when writes fail: a bucket name the database would refuse, more windows than one statement
// can bind, a chunk the database refuses, the database down. Every other window's hits are still published, hits of
// windows that have ended are dropped rather than retried forever, and a failure streak is logged once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { BatchedRateLimitStore, boundedBucket, RATE_LIMIT_BUCKET_KEEP } from '../../src/http/rate-limit.ts';
import type { RateLimitLog } from '../../src/http/rate-limit.ts';
import { addRateLimitHits, RATE_LIMIT_BATCH_MAX, RATE_LIMIT_BUCKET_MAX } from '../../src/storage/rate-limit-store.ts';
import type { Storage } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';

const WINDOW = 60_000;
const NOW = 1_700_000_000_000 - (1_700_000_000_000 % WINDOW) + 1_000;
/** A limit counted in memory (RATE_LIMIT_LOCAL_MIN or more), as most routes' limits are. */
const MAX = 600;

async function stored(storage: Storage): Promise<Map<string, number>> {
  const rows = await storage.db.selectFrom('rate_limits').select(['bucket', 'count']).execute();
  return new Map(rows.map((r) => [r.bucket, Number(r.count)]));
}

/** A log that remembers what was said. */
function captureLog(): RateLimitLog & { lines: Array<{ level: string; msg: string; obj: object }> } {
  const lines: Array<{ level: string; msg: string; obj: object }> = [];
  return {
    lines,
    warn: (obj, msg) => lines.push({ level: 'warn', msg, obj }),
    info: (obj, msg) => lines.push({ level: 'info', msg, obj }),
  };
}

/** Makes the database refuse any insert into rate_limits of the bucket `poison`. */
async function poisonBucket(storage: Storage): Promise<void> {
  if (storage.engine === 'sqlite') {
    await sql`create trigger rl_poison before insert on rate_limits when new.bucket = 'poison'
      begin select raise(abort, 'poisoned bucket'); end`.execute(storage.db);
    return;
  }
  await sql`create function rl_poison() returns trigger language plpgsql as $$
    begin if new.bucket = 'poison' then raise exception 'poisoned bucket'; end if; return new; end $$`.execute(
    storage.db,
  );
  await sql`create trigger rl_poison before insert on rate_limits for each row execute function rl_poison()`.execute(
    storage.db,
  );
}

test('boundedBucket keeps ordinary names, and shortens long ones to distinct names the database accepts', () => {
  for (const b of ['GET /healthz|203.0.113.7', 'POST /ingest|2001:db8:1:2::/64', 'x'.repeat(RATE_LIMIT_BUCKET_KEEP)]) {
    assert.equal(boundedBucket(b), b);
  }
  const prefix = `GET /healthz|${'z'.repeat(RATE_LIMIT_BUCKET_KEEP)}`;
  const [a, b] = [boundedBucket(`${prefix}a`), boundedBucket(`${prefix}b`)];
  assert.notEqual(a, b);
  for (const name of [a, b, boundedBucket('y'.repeat(100_000))]) {
    assert.ok(name.length > RATE_LIMIT_BUCKET_KEEP && name.length <= RATE_LIMIT_BUCKET_MAX, `${name.length}`);
  }
  assert.ok(a.startsWith('GET /healthz|zzz'));
  // A surrogate pair across the cut is kept whole or not at all.
  const astral = boundedBucket(`${'x'.repeat(RATE_LIMIT_BUCKET_KEEP - 1)}😀${'x'.repeat(50)}`);
  assert.equal(astral.indexOf('#'), RATE_LIMIT_BUCKET_KEEP - 1);
});

eachEngine('a bucket name over 512 characters is counted and stops no other bucket being written', async ({ open }) => {
  const storage = await open();
  const limiter = new BatchedRateLimitStore(storage);
  // What a client behind a trusted proxy makes with a 600-character X-Forwarded-For.
  const long = `GET /healthz|${'z'.repeat(600)}`;
  await limiter.hit(long, WINDOW, NOW, MAX);
  for (let i = 0; i < 5; i++) await limiter.hit('GET /healthz|10.8.8.2', WINDOW, NOW, MAX);
  await limiter.flush();
  assert.deepEqual(
    await stored(storage),
    new Map([
      ['GET /healthz|10.8.8.2', 5],
      [boundedBucket(long), 1],
    ]),
  );
  // Limits counted in the database on every hit (under RATE_LIMIT_LOCAL_MIN) take such names too.
  assert.equal((await limiter.hit(long, WINDOW, NOW, 10)).count, 2);
  await limiter.close();
});

eachEngine(
  'more windows than one statement can bind are all written, RATE_LIMIT_BATCH_MAX per statement',
  async ({ open }) => {
    const storage = await open();
    const limiter = new BatchedRateLimitStore(storage);
    // 20,000 windows × 4 values: past PostgreSQL's 65,535 bound values (and SQLite's 32,766) in one statement.
    const n = 20_000;
    for (let i = 0; i < n; i++) await limiter.hit(`GET /healthz|10.${i >> 8}.${i & 255}.1`, WINDOW, NOW, MAX);
    await limiter.flush();
    const row = await storage.db
      .selectFrom('rate_limits')
      .select(({ fn }) => [fn.countAll<number>().as('rows'), fn.sum<number>('count').as('hits')])
      .executeTakeFirstOrThrow();
    assert.deepEqual([Number(row.rows), Number(row.hits)], [n, n]);
    await limiter.close();
  },
  { timeout: 60_000 },
);

eachEngine('addRateLimitHits refuses more than RATE_LIMIT_BATCH_MAX windows before writing any', async ({ open }) => {
  const storage = await open();
  const entries = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ bucket: `b${i}`, windowMs: WINDOW, windowStart: NOW - 1_000, hits: 1 }));
  await assert.rejects(addRateLimitHits(storage.db, entries(RATE_LIMIT_BATCH_MAX + 1)), { code: 'INVALID_ARGUMENT' });
  assert.equal((await stored(storage)).size, 0);
  assert.equal((await addRateLimitHits(storage.db, entries(RATE_LIMIT_BATCH_MAX))).size, RATE_LIMIT_BATCH_MAX);
});

eachEngine(
  'a chunk the database refuses leaves the others written, is retried while its window runs, dropped after',
  async ({ open }) => {
    const storage = await open();
    await poisonBucket(storage);
    const log = captureLog();
    const limiter = new BatchedRateLimitStore(storage, { log });
    // The first chunk holds the refused bucket and RATE_LIMIT_BATCH_MAX - 1 others; the second chunk, 500 more.
    const names = ['poison', ...Array.from({ length: RATE_LIMIT_BATCH_MAX + 499 }, (_, i) => `ok${i}`)];
    for (const name of names) await limiter.hit(name, WINDOW, NOW, MAX);
    await assert.rejects(limiter.flush(), /poisoned bucket/);
    const second = names.slice(RATE_LIMIT_BATCH_MAX);
    assert.deepEqual([...(await stored(storage)).keys()].sort(), second.sort());
    assert.equal(log.lines.length, 1);
    const { level, obj } = log.lines[0]!;
    assert.equal(level, 'warn');
    assert.match((obj as { err: { message: string } }).err.message, /poisoned bucket/);
    assert.deepEqual(
      [(obj as { windows: number }).windows, (obj as { droppedHits: number }).droppedHits],
      [names.length, 0],
    );
    assert.doesNotMatch(JSON.stringify(obj), /\bok\d/, 'no bucket name is logged');

    // Retried while the window runs (and not logged again): one more hit in each of the first chunk's windows.
    for (const name of names.slice(0, RATE_LIMIT_BATCH_MAX)) await limiter.hit(name, WINDOW, NOW + 1, MAX);
    await assert.rejects(limiter.flush(), /poisoned bucket/);
    assert.equal(log.lines.length, 1, 'a failure streak is logged once');

    // The window ends (a hit in the next one shows the store the time): its unwritten hits are dropped.
    await limiter.hit('next', WINDOW, NOW + WINDOW, MAX);
    await assert.rejects(limiter.flush(), /poisoned bucket/);
    assert.equal((await stored(storage)).get('next'), 1);
    // Nothing is left to retry: the next flushes write nothing and succeed, and recovery is said once.
    await limiter.flush();
    assert.deepEqual(log.lines.at(-1)?.level, 'warn');
    await sql`delete from rate_limits`.execute(storage.db);
    await limiter.hit('later', WINDOW, NOW + WINDOW, MAX);
    await limiter.flush();
    assert.deepEqual(await stored(storage), new Map([['later', 1]]));
    assert.deepEqual(
      log.lines.map((l) => l.level),
      ['warn', 'info'],
    );
    await limiter.close();
  },
);

eachEngine(
  'while the database is down hits are kept until their window ends, then written when it is back',
  async ({ open }) => {
    const up = await open();
    const gone = await open();
    await gone.close();
    let down = true;
    // The same storage, its database reachable or not.
    const storage = {
      engine: up.engine,
      get db() {
        return down ? gone.db : up.db;
      },
    } as unknown as Storage;
    const log = captureLog();
    const limiter = new BatchedRateLimitStore(storage, { log });

    // More windows than one chunk, each hit twice while the database is down.
    const n = 2 * RATE_LIMIT_BATCH_MAX + 1;
    for (let i = 0; i < n; i++) await limiter.hit(`w${i}`, WINDOW, NOW, MAX);
    await assert.rejects(limiter.flush(), { code: 'DATABASE_UNAVAILABLE' });
    for (let i = 0; i < n; i++) await limiter.hit(`w${i}`, WINDOW, NOW + 1, MAX);
    await assert.rejects(limiter.flush(), { code: 'DATABASE_UNAVAILABLE' });
    assert.deepEqual(
      log.lines.map((l) => [l.level, l.obj]),
      [
        [
          'warn',
          {
            err: { message: 'The database is unavailable.', code: 'DATABASE_UNAVAILABLE' },
            windows: n,
            droppedHits: 0,
          },
        ],
      ],
    );

    down = false;
    await limiter.flush();
    const rows = await stored(up);
    assert.equal(rows.size, n);
    assert.ok([...rows.values()].every((c) => c === 2));
    assert.deepEqual(
      log.lines.map((l) => l.level),
      ['warn', 'info'],
    );

    // Down again: a window that ends while it is down loses its unwritten hits; a running one keeps them.
    down = true;
    await limiter.hit('ended', WINDOW, NOW + 2, MAX);
    await assert.rejects(limiter.flush(), { code: 'DATABASE_UNAVAILABLE' });
    await limiter.hit('running', WINDOW, NOW + WINDOW, MAX);
    await assert.rejects(limiter.flush(), { code: 'DATABASE_UNAVAILABLE' });
    down = false;
    await limiter.flush();
    const after = await stored(up);
    assert.equal(after.get('running'), 1);
    assert.equal(after.has('ended'), false);
    await limiter.close();
  },
);
