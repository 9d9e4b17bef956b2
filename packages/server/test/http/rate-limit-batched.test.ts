// BatchedRateLimitStore (PostgreSQL's rate-limit store): exact in one process, shared through the database across
// processes within the stated bound, and every locally counted hit reaches the database.
import assert from 'node:assert/strict';
import { BatchedRateLimitStore, RATE_LIMIT_LOCAL_MIN, RATE_LIMIT_LOCAL_SHARE } from '../../src/http/rate-limit.ts';
import type { Storage } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';

const WINDOW = 60_000;
const NOW = 1_700_000_000_000;

async function stored(store: Storage): Promise<Record<string, number>> {
  const rows = await store.db.selectFrom('rate_limits').select(['bucket', 'count']).execute();
  return Object.fromEntries(rows.map((r) => [r.bucket, Number(r.count)]));
}

eachEngine('one process: exactly max hits are admitted per window, then a new window starts', async ({ open }) => {
  const storage = await open();
  const limiter = new BatchedRateLimitStore(storage);
  for (const max of [1, 2, 3, 10, 101, 250]) {
    const bucket = `b${max}`;
    const counts: number[] = [];
    for (let i = 0; i < max + 3; i++) counts.push((await limiter.hit(bucket, WINDOW, NOW, max)).count);
    assert.equal(counts.filter((c) => c <= max).length, max, `max ${max}: ${counts.join(',')}`);
    assert.deepEqual(counts.slice(-3), [max + 1, max + 2, max + 3]);
    const next = await limiter.hit(bucket, WINDOW, NOW + WINDOW, max);
    assert.equal(next.count, 1);
    assert.equal(next.resetAtMs, NOW - (NOW % WINDOW) + 2 * WINDOW);
  }
  await limiter.close();
  // Everything counted locally was written on close.
  const rows = await storage.db
    .selectFrom('rate_limits')
    .select(({ fn }) => ['bucket', fn.sum<number>('count').as('n')])
    .groupBy('bucket')
    .execute();
  assert.deepEqual(
    Object.fromEntries(rows.map((r) => [r.bucket, Number(r.n)])),
    Object.fromEntries([1, 2, 3, 10, 101, 250].map((m) => [`b${m}`, m + 4])),
  );
});

eachEngine('two processes share one limit within the stated bound', async ({ open }) => {
  const [a, b] = [new BatchedRateLimitStore(await open()), new BatchedRateLimitStore(await open())];
  const max = RATE_LIMIT_LOCAL_MIN;
  let admitted = 0;
  for (let i = 0; i < 3 * max; i++) {
    const store = i % 2 === 0 ? a : b;
    if ((await store.hit('shared', WINDOW, NOW, max)).count <= max) admitted++;
  }
  // Each other process may hold at most max × LOCAL_SHARE unwritten hits.
  assert.ok(admitted >= max && admitted <= max + max * RATE_LIMIT_LOCAL_SHARE, `admitted ${admitted}`);
  // Once both have written, the next hit anywhere is refused.
  await a.flush();
  await b.flush();
  assert.ok((await a.hit('shared', WINDOW, NOW, max)).count > max);
  assert.ok((await b.hit('shared', WINDOW, NOW, max)).count > max);
  await a.close();
  await b.close();
});

eachEngine(
  'locally counted hits are written in one batch by flush (what the timer calls), not per hit',
  async ({ open, t }) => {
    const storage = await open();
    // The flush timer is mocked and never fires here: in real time it fires RATE_LIMIT_FLUSH_MS after the first hit,
    // and on a slow machine (or with a read that needs a new connection) that came before the read of "nothing yet".
    t.mock.timers.enable({ apis: ['setInterval'] });
    const limiter = new BatchedRateLimitStore(storage);
    for (let i = 0; i < 5; i++) await limiter.hit('quiet', WINDOW, NOW, 1000);
    assert.deepEqual(await stored(storage), {});
    await limiter.flush();
    assert.deepEqual(await stored(storage), { quiet: 5 });
    await limiter.close();
  },
);

eachEngine('hits counted while a flush is under way are written by the next flush and by close', async ({ open }) => {
  const storage = await open();
  const limiter = new BatchedRateLimitStore(storage);
  for (let i = 0; i < 3; i++) await limiter.hit('busy', WINDOW, NOW, 1000);
  // The timer's flush has taken the 3 hits and waits for the database; 2 more are counted meanwhile.
  const underWay = limiter.flush();
  for (let i = 0; i < 2; i++) await limiter.hit('busy', WINDOW, NOW, 1000);
  const next = limiter.flush();
  await underWay;
  await next;
  assert.deepEqual(await stored(storage), { busy: 5 });
  // And close, while a flush is under way, still writes what came after it.
  const again = limiter.flush();
  await limiter.hit('busy', WINDOW, NOW, 1000);
  await limiter.close();
  await again;
  assert.deepEqual(await stored(storage), { busy: 6 });
});

eachEngine('limits under RATE_LIMIT_LOCAL_MIN are exact across processes', async ({ open }) => {
  const [a, b] = [new BatchedRateLimitStore(await open()), new BatchedRateLimitStore(await open())];
  const counts: number[] = [];
  for (let i = 0; i < 3; i++) {
    counts.push((await a.hit('small', WINDOW, NOW, 4)).count, (await b.hit('small', WINDOW, NOW, 4)).count);
  }
  assert.deepEqual(counts, [1, 2, 3, 4, 5, 6]);
  await a.close();
  await b.close();
});
