// rate_limits.count is a 32-bit integer on PostgreSQL and a 64-bit one on SQLite: a window counted past 2^31 - 1 (a
// flood into one long window, or a batch carrying that many hits) failed every later hit there on PostgreSQL with
// 22003 "integer out of range", a 500, while SQLite went on counting. Both engines now hold the count at 2^31 - 1.
import { strict as assert } from 'node:assert';
import { hitRateLimit } from '../../src/storage/index.ts';
import { addRateLimitHits } from '../../src/storage/rate-limit-store.ts';
import { eachEngine } from '../helpers/storage.ts';

const WINDOW = 3_600_000;
const T0 = 1_750_000_040_000;
const START = Math.floor(T0 / WINDOW) * WINDOW;
const INT32_MAX = 2 ** 31 - 1;

eachEngine(
  'a window counted up to 2^31 - 1 stays there on both engines: a hit is still counted, no error',
  async ({ open }) => {
    const storage = await open();
    await storage.db
      .insertInto('rate_limits')
      .values({ bucket: 'flood', window_start: START, count: INT32_MAX - 1, expires_at: START + WINDOW })
      .execute();
    assert.equal((await hitRateLimit(storage.db, 'flood', WINDOW, T0)).count, INT32_MAX);
    assert.deepEqual(await hitRateLimit(storage.db, 'flood', WINDOW, T0), {
      count: INT32_MAX,
      resetAtMs: START + WINDOW,
    });
    const totals = await addRateLimitHits(storage.db, [
      { bucket: 'flood', windowMs: WINDOW, windowStart: START, hits: 5 },
      { bucket: 'batch', windowMs: WINDOW, windowStart: START, hits: 2 ** 40 },
    ]);
    assert.deepEqual(
      totals,
      new Map([
        [`batch\n${START}`, INT32_MAX],
        [`flood\n${START}`, INT32_MAX],
      ]),
    );
    assert.equal((await hitRateLimit(storage.db, 'batch', WINDOW, T0)).count, INT32_MAX);
  },
);
