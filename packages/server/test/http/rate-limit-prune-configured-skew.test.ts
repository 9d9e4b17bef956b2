// The prune margin was max(window length, 60 s) whatever VOUCH_CLOCK_SKEW said. A deployment that allows 300 s of
// skew between its processes, with 60 s windows, had a process 200 s ahead delete the window the others still counted
// their clients in: a limited client got a fresh count mid-window. The margin is now max(window length, configured
// clock skew, 60 s), passed from the configuration by every caller of pruneRateLimits.
import assert from 'node:assert/strict';
import { rateLimitStoreFor } from '../../src/http/rate-limit.ts';
import { hitRateLimit, pruneRateLimits } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';

const MINUTE = 60_000;

eachEngine(
  'with VOUCH_CLOCK_SKEW=300, a process 200 s ahead does not prune the window the others count in',
  async ({ open, engine, t }) => {
    if (engine === 'sqlite') {
      t.skip('SQLite runs one process: route limits are counted in its memory, with its one clock');
      return;
    }
    const env = { VOUCH_RATE_LIMIT_MAX: '3', VOUCH_RATE_LIMIT_WINDOW_MS: String(MINUTE), VOUCH_CLOCK_SKEW: '300' };
    // a's clock 40 s into the window; b's 200 s ahead of a's, so by b's clock a's window ended 180 s ago.
    const a = await makeApp(await open(), { env, clock: new ManualClock(T0 + 40_000) });
    const bStorage = await open();
    const b = await makeApp(bStorage, { env, clock: new ManualClock(T0 + 240_000), kek: a.kek });
    // The store start.ts makes and prunes every minute, from the same configuration.
    const bStore = rateLimitStoreFor(bStorage, b.ctx.config);
    try {
      const get = () => a.app.inject({ method: 'GET', url: '/docs/json' });
      for (let i = 0; i < 3; i++) assert.equal((await get()).statusCode, 200);
      assert.equal((await get()).statusCode, 429);
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

eachEngine('pruneRateLimits keeps a window max(its length, the clock skew, 60 s) after it ended', async ({ open }) => {
  const storage = await open();
  const db = storage.db;
  const SKEW = 5 * MINUTE;
  const HOUR = 60 * MINUTE;
  // Windows ending at T0 + 1 min and T0 + 1 h.
  await hitRateLimit(db, 'a-minute', MINUTE, T0);
  await hitRateLimit(db, 'b-hour', HOUR, T0);
  // The minute window is kept the skew after it ended, not just its length or 60 s.
  assert.equal(await pruneRateLimits(db, storage.engine, T0 + MINUTE + SKEW - 1, SKEW), 0);
  assert.equal(await pruneRateLimits(db, storage.engine, T0 + MINUTE + SKEW, SKEW), 1);
  // A window longer than the skew is kept its own length.
  assert.equal(await pruneRateLimits(db, storage.engine, T0 + 2 * HOUR - 1, SKEW), 0);
  assert.equal(await pruneRateLimits(db, storage.engine, T0 + 2 * HOUR, SKEW), 1);
  // A skew under 60 s leaves the 60 s floor.
  await hitRateLimit(db, 'c-second', 1000, T0);
  assert.equal(await pruneRateLimits(db, storage.engine, T0 + 1000 + MINUTE - 1, 1000), 0);
  assert.equal(await pruneRateLimits(db, storage.engine, T0 + 1000 + MINUTE, 1000), 1);
});
