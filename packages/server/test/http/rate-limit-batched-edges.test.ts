// BatchedRateLimitStore (http/rate-limit.ts) at its edges, with the flush timer held (t.mock.timers) so that what
// reaches the database is what each hit or flush wrote: a limit of exactly RATE_LIMIT_LOCAL_MIN is counted locally up
// to exactly RATE_LIMIT_LOCAL_SHARE of it and in the database from the next hit, one under that minimum never
// locally; a flush's totals carry the window's count on; a window's unwritten hits are dropped once the time reaches
// its end (not a millisecond later); and a hit the database refuses puts back the locally counted hits it carried.
import assert from 'node:assert/strict';
import { BatchedRateLimitStore, RATE_LIMIT_LOCAL_MIN, RATE_LIMIT_LOCAL_SHARE } from '../../src/http/rate-limit.ts';
import type { Storage } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';

const WINDOW = 60_000;
/** The start of a window, and a time inside it. */
const START = 1_700_000_000_000 - (1_700_000_000_000 % WINDOW);
const NOW = START + 1_000;
const MAX = RATE_LIMIT_LOCAL_MIN;
const LOCAL = MAX * RATE_LIMIT_LOCAL_SHARE;

async function stored(storage: Storage): Promise<Record<string, number>> {
  const rows = await storage.db.selectFrom('rate_limits').select(['bucket', 'count']).execute();
  return Object.fromEntries(rows.map((r) => [r.bucket, Number(r.count)]));
}

/** One storage whose database is reachable or not (`down`), as a PostgreSQL that went away and came back. */
async function switchable(
  open: () => Promise<Storage>,
): Promise<{ storage: Storage; up: Storage; set(down: boolean): void }> {
  const up = await open();
  const gone = await open();
  await gone.close();
  let down = false;
  const storage = {
    engine: up.engine,
    get db() {
      return down ? gone.db : up.db;
    },
  } as unknown as Storage;
  return { storage, up, set: (d) => (down = d) };
}

eachEngine(
  'a limit of RATE_LIMIT_LOCAL_MIN is counted locally up to its local share, then in the database',
  async ({ open, t }) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const storage = await open();
    const limiter = new BatchedRateLimitStore(storage);
    try {
      for (let i = 1; i <= LOCAL; i++) assert.equal((await limiter.hit('edge', WINDOW, NOW, MAX)).count, i);
      assert.deepEqual(await stored(storage), {}, `${LOCAL} hits are counted locally`);
      // The next one would pass the share: it goes to the database with the unwritten ones.
      assert.equal((await limiter.hit('edge', WINDOW, NOW, MAX)).count, LOCAL + 1);
      assert.deepEqual(await stored(storage), { edge: LOCAL + 1 });
      assert.equal((await limiter.hit('edge', WINDOW, NOW, MAX)).count, LOCAL + 2);
      assert.deepEqual(await stored(storage), { edge: LOCAL + 2 });
      // One under the minimum: every hit in the database at once.
      assert.equal((await limiter.hit('small', WINDOW, NOW, MAX - 1)).count, 1);
      assert.deepEqual(await stored(storage), { edge: LOCAL + 2, small: 1 });
      assert.equal(limiter.size, 1, 'only the window it may count locally is held');
    } finally {
      await limiter.close();
    }
  },
);

eachEngine(
  'a flush carries the window count on: the next hit past the share is counted from it',
  async ({ open, t }) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const storage = await open();
    const limiter = new BatchedRateLimitStore(storage);
    try {
      for (let i = 0; i < LOCAL; i++) await limiter.hit('carried', WINDOW, NOW, MAX);
      await limiter.flush();
      assert.deepEqual(await stored(storage), { carried: LOCAL });
      assert.equal((await limiter.hit('carried', WINDOW, NOW, MAX)).count, LOCAL + 1);
      assert.deepEqual(await stored(storage), { carried: LOCAL + 1 });
    } finally {
      await limiter.close();
    }
  },
);

eachEngine(
  'unwritten hits are kept while the time is before their window end, dropped once it reaches it',
  async ({ open, t }) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { storage, up, set } = await switchable(open);
    const limiter = new BatchedRateLimitStore(storage);
    try {
      set(true);
      await limiter.hit('kept', WINDOW, NOW, MAX);
      // The last millisecond of the window: it has not ended, its hit is kept for the next flush.
      await limiter.hit('clock', WINDOW, START + WINDOW - 1, MAX);
      await assert.rejects(limiter.flush(), { code: 'DATABASE_UNAVAILABLE' });
      set(false);
      await limiter.flush();
      assert.deepEqual(await stored(up), { kept: 1, clock: 1 });

      set(true);
      await limiter.hit('dropped', WINDOW, NOW, MAX);
      await assert.rejects(limiter.flush(), { code: 'DATABASE_UNAVAILABLE' });
      // The window's end exactly (a hit in the next window shows the store the time): the window has ended.
      await limiter.hit('next', WINDOW, START + WINDOW, MAX);
      await assert.rejects(limiter.flush(), { code: 'DATABASE_UNAVAILABLE' });
      set(false);
      await limiter.flush();
      assert.deepEqual(await stored(up), { kept: 1, clock: 1, next: 1 });
    } finally {
      set(false);
      await limiter.close();
    }
  },
);

eachEngine(
  'a hit the database refuses puts back the unwritten hits it carried; a later flush writes them',
  async ({ open, t }) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { storage, up, set } = await switchable(open);
    const limiter = new BatchedRateLimitStore(storage);
    try {
      for (let i = 0; i < LOCAL; i++) await limiter.hit('carry', WINDOW, NOW, MAX);
      set(true);
      // Past the share: this hit goes to the database with the LOCAL unwritten ones, and the database is down.
      await assert.rejects(async () => limiter.hit('carry', WINDOW, NOW, MAX), { code: 'DATABASE_UNAVAILABLE' });
      set(false);
      await limiter.flush();
      // The refused hit itself is counted by the caller in the process (policy.ts); the carried ones are not lost.
      assert.deepEqual(await stored(up), { carry: LOCAL });
      assert.equal((await limiter.hit('carry', WINDOW, NOW, MAX)).count, LOCAL + 1);
    } finally {
      set(false);
      await limiter.close();
    }
  },
);
