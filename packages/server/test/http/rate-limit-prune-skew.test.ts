// Every process prunes the shared rate_limits table with its own clock. Windows were pruned as soon as they ended by
// the pruning process's clock: a process whose clock ran d ahead deleted the window still current for the others,
// and a client limited there got a fresh count mid-window. A window is now pruned only once it ended at least
// max(its length, 60 s) before the pruning process's now (RATE_LIMIT_PRUNE_MARGIN_MS).
import assert from 'node:assert/strict';
import { rateLimitStoreFor } from '../../src/http/rate-limit.ts';
import { hitRateLimit, pruneRateLimits, RATE_LIMIT_PRUNE_MARGIN_MS } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';

const MINUTE = 60_000;

eachEngine(
  "a process whose clock runs ahead does not prune the window other processes' clients are counted in",
  async ({ open, engine, t }) => {
    if (engine === 'sqlite') {
      t.skip('SQLite runs one process: route limits are counted in its memory, with its one clock');
      return;
    }
    const env = { VOUCH_RATE_LIMIT_MAX: '3', VOUCH_RATE_LIMIT_WINDOW_MS: String(MINUTE) };
    // a's clock 40 s into the window; b's 50 s ahead of a's, so by b's clock a's window ended 30 s ago.
    const a = await makeApp(await open(), { env, clock: new ManualClock(T0 + 40_000) });
    const bStorage = await open();
    const b = await makeApp(bStorage, { env, clock: new ManualClock(T0 + 90_000), kek: a.kek });
    const bStore = rateLimitStoreFor(bStorage, b.ctx.config);
    try {
      const get = () => a.app.inject({ method: 'GET', url: '/docs/json' });
      for (let i = 0; i < 3; i++) assert.equal((await get()).statusCode, 200);
      assert.equal((await get()).statusCode, 429);
      // b's minute housekeeping (start.ts prunes the store rateLimitStoreFor makes).
      await bStore.prune(b.clock.now());
      const after = await get();
      assert.equal(after.statusCode, 429, 'the client is still limited for the rest of its window');
      assert.equal(after.headers['x-ratelimit-remaining'], '0');
    } finally {
      await bStore.close?.();
      await a.app.close();
      await b.app.close();
    }
  },
);

eachEngine('pruneRateLimits keeps a window until max(its length, 60 s) after it ended', async ({ open }) => {
  const storage = await open();
  const db = storage.db;
  const buckets = async () =>
    (await db.selectFrom('rate_limits').select('bucket').orderBy('bucket').execute()).map((r) => r.bucket);
  const SECOND = 1000;
  const HOUR = 60 * MINUTE;
  // Windows ending at T0 + 1 s, T0 + 1 min and T0 + 1 h.
  await hitRateLimit(db, 'a-second', SECOND, T0);
  await hitRateLimit(db, 'b-minute', MINUTE, T0);
  await hitRateLimit(db, 'c-hour', HOUR, T0);
  assert.equal(RATE_LIMIT_PRUNE_MARGIN_MS, MINUTE);
  // A short window is kept the fixed margin after it ended, a longer one its own length.
  assert.equal(await pruneRateLimits(db, storage.engine, T0 + SECOND + MINUTE - 1, 0), 0);
  assert.equal(await pruneRateLimits(db, storage.engine, T0 + SECOND + MINUTE, 0), 1);
  assert.deepEqual(await buckets(), ['b-minute', 'c-hour']);
  assert.equal(await pruneRateLimits(db, storage.engine, T0 + 2 * MINUTE - 1, 0), 0);
  assert.equal(await pruneRateLimits(db, storage.engine, T0 + 2 * MINUTE, 0), 1);
  assert.equal(await pruneRateLimits(db, storage.engine, T0 + 2 * HOUR - 1, 0), 0);
  assert.equal(await pruneRateLimits(db, storage.engine, T0 + 2 * HOUR, 0), 1);
  assert.deepEqual(await buckets(), []);
});
