import { strict as assert } from 'node:assert';
import { hitRateLimit, pruneRateLimits } from '../../src/storage/index.ts';
import { addRateLimitHits } from '../../src/storage/rate-limit-store.ts';
import { eachEngine } from '../helpers/storage.ts';

const WINDOW = 60_000;
const T0 = 1_750_000_040_000; // 20 s into a minute window

eachEngine('fixed windows count hits per bucket and reset at the window end', async ({ open }) => {
  const storage = await open();
  const start = Math.floor(T0 / WINDOW) * WINDOW;
  assert.equal(T0 - start, 20_000);
  assert.deepEqual(await hitRateLimit(storage.db, 'ip:1', WINDOW, T0), { count: 1, resetAtMs: start + WINDOW });
  assert.deepEqual(await hitRateLimit(storage.db, 'ip:1', WINDOW, T0 + 1000), { count: 2, resetAtMs: start + WINDOW });
  assert.deepEqual(await hitRateLimit(storage.db, 'ip:2', WINDOW, T0), { count: 1, resetAtMs: start + WINDOW });
  // The last millisecond of the window still counts in it; the next one opens a new window.
  assert.equal((await hitRateLimit(storage.db, 'ip:1', WINDOW, start + WINDOW - 1)).count, 3);
  assert.deepEqual(await hitRateLimit(storage.db, 'ip:1', WINDOW, start + WINDOW), {
    count: 1,
    resetAtMs: start + 2 * WINDOW,
  });
});

eachEngine('50 parallel hits from two processes get the counts 1..50, each exactly once', async ({ open }) => {
  const [a, b] = await Promise.all([open(), open()]);
  const hits = await Promise.all(
    Array.from({ length: 50 }, (_, i) => hitRateLimit((i % 2 === 0 ? a : b).db, 'shared', WINDOW, T0 + i)),
  );
  assert.deepEqual(
    hits.map((h) => h.count).sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i + 1),
  );
  const rows = await a.db.selectFrom('rate_limits').selectAll().execute();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.count, 50);
});

eachEngine('addRateLimitHits adds the hits of a (bucket, window) named twice in one batch', async ({ open }) => {
  const storage = await open();
  const start = Math.floor(T0 / WINDOW) * WINDOW;
  await hitRateLimit(storage.db, 'a', WINDOW, T0);
  const totals = await addRateLimitHits(storage.db, [
    { bucket: 'a', windowMs: WINDOW, windowStart: start, hits: 2 },
    { bucket: 'b', windowMs: WINDOW, windowStart: start, hits: 5 },
    { bucket: 'a', windowMs: WINDOW, windowStart: start, hits: 3 },
    { bucket: 'a', windowMs: WINDOW, windowStart: start + WINDOW, hits: 4 },
    { bucket: 'b', windowMs: WINDOW, windowStart: start, hits: 1 },
  ]);
  const expected = new Map([
    [`a\n${start}`, 6],
    [`a\n${start + WINDOW}`, 4],
    [`b\n${start}`, 6],
  ]);
  assert.deepEqual(totals, expected);
  const rows = await storage.db.selectFrom('rate_limits').select(['bucket', 'window_start', 'count']).execute();
  assert.deepEqual(new Map(rows.map((r) => [`${r.bucket}\n${Number(r.window_start)}`, Number(r.count)])), expected);
});

eachEngine('pruneRateLimits deletes only windows that ended at least a window (60 s here) ago', async ({ open }) => {
  const storage = await open();
  const start = Math.floor(T0 / WINDOW) * WINDOW;
  await hitRateLimit(storage.db, 'old', WINDOW, T0 - WINDOW);
  await hitRateLimit(storage.db, 'current', WINDOW, T0);
  await hitRateLimit(storage.db, 'long', 10 * WINDOW, T0);
  // 'old' ended at `start`: kept one more window (rate-limit-prune-skew.test.ts).
  assert.equal(await pruneRateLimits(storage.db, storage.engine, start + WINDOW - 1, 0), 0);
  assert.equal(await pruneRateLimits(storage.db, storage.engine, start + WINDOW, 0), 1);
  assert.equal(await pruneRateLimits(storage.db, storage.engine, start + WINDOW, 0), 0);
  const left = await storage.db.selectFrom('rate_limits').select('bucket').orderBy('bucket').execute();
  assert.deepEqual(
    left.map((r) => r.bucket),
    ['current', 'long'],
  );
});

eachEngine('bad arguments are INVALID_ARGUMENT', async ({ open }) => {
  const storage = await open();
  for (const [bucket, windowMs, nowMs] of [
    ['', WINDOW, T0],
    ['b'.repeat(513), WINDOW, T0],
    ['b', 0, T0],
    ['b', -5, T0],
    ['b', 1.5, T0],
    ['b', WINDOW, -1],
    ['b', WINDOW, Number.NaN],
  ] as const) {
    await assert.rejects(hitRateLimit(storage.db, bucket, windowMs, nowMs), { code: 'INVALID_ARGUMENT' });
  }
  await assert.rejects(pruneRateLimits(storage.db, storage.engine, Number.POSITIVE_INFINITY, 0), {
    code: 'INVALID_ARGUMENT',
  });
  for (const skew of [-1, 1.5, Number.NaN]) {
    await assert.rejects(pruneRateLimits(storage.db, storage.engine, T0, skew), { code: 'INVALID_ARGUMENT' });
  }
});

eachEngine('addRateLimitHits refuses a bad window or hit count before writing any entry', async ({ open }) => {
  const storage = await open();
  const start = Math.floor(T0 / WINDOW) * WINDOW;
  const good = { bucket: 'good', windowMs: WINDOW, windowStart: start, hits: 1 };
  // A negative count would take hits off a window another process counted; a window of no length ends at its start.
  for (const bad of [
    { bucket: '', windowMs: WINDOW, windowStart: start, hits: 1 },
    { bucket: 'b', windowMs: 0, windowStart: start, hits: 1 },
    { bucket: 'b', windowMs: -WINDOW, windowStart: start, hits: 1 },
    { bucket: 'b', windowMs: WINDOW, windowStart: -1, hits: 1 },
    { bucket: 'b', windowMs: WINDOW, windowStart: 1.5, hits: 1 },
    { bucket: 'b', windowMs: WINDOW, windowStart: start, hits: -5 },
    { bucket: 'b', windowMs: WINDOW, windowStart: start, hits: Number.NaN },
  ]) {
    await assert.rejects(addRateLimitHits(storage.db, [good, bad]), { code: 'INVALID_ARGUMENT' }, JSON.stringify(bad));
  }
  assert.deepEqual(await storage.db.selectFrom('rate_limits').selectAll().execute(), []);
});
