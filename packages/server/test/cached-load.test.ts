// CachedLoad, which the token keyring and the capability gateway's keys share: one load for every waiting caller, a
// value trusted for its age from when the load began, and an invalidation that disowns a load already under way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CachedLoad } from '../src/cached-load.ts';
import { ManualClock } from '../src/clock.ts';

/** A loader whose loads finish when the test says, each answering the next number. */
function gatedLoader(): { load: () => Promise<number>; loads: number; finish: (newestFirst?: boolean) => void } {
  const waiting: (() => void)[] = [];
  const state = {
    loads: 0,
    load: () => {
      const n = ++state.loads;
      return new Promise<number>((resolve) => waiting.push(() => resolve(n)));
    },
    finish: (newestFirst = false) => {
      const done = waiting.splice(0);
      if (newestFirst) done.reverse();
      for (const d of done) d();
    },
  };
  return state;
}

test('cached load: callers waiting together share one load; the value lives maxAge from when the load began', async () => {
  const clock = new ManualClock(1_000_000);
  const loader = gatedLoader();
  const cache = new CachedLoad(clock, () => loader.load());
  assert.equal(cache.fresh(10_000), undefined);
  assert.equal(cache.peek(), undefined);

  const a = cache.get(10_000);
  const b = cache.get(10_000);
  clock.advance(3000); // the load takes 3 s: its age counts from its start
  loader.finish();
  assert.deepEqual(await Promise.all([a, b]), [1, 1]);
  assert.equal(loader.loads, 1);

  clock.advance(6999);
  assert.equal(cache.fresh(10_000), 1);
  assert.equal(await cache.get(10_000), 1);
  assert.equal(loader.loads, 1);
  // A caller that wants younger keys (an unknown kid) loads again though the value is fresh for others.
  const young = cache.get(1000);
  loader.finish();
  assert.equal(await young, 2);

  clock.advance(10_000);
  assert.equal(cache.fresh(10_000), undefined);
  assert.equal(cache.peek(), 2, 'peek answers however old');
  const next = cache.get(10_000);
  loader.finish();
  assert.equal(await next, 3);

  // A clock set back before the load: the value is not trusted as if it were young.
  clock.advance(-1);
  assert.equal(cache.fresh(10_000), undefined);
});

test('cached load: invalidate during a load: its waiters get its answer, nothing of it is cached, the next get loads', async () => {
  const clock = new ManualClock(5_000_000);
  const loader = gatedLoader();
  const cache = new CachedLoad(clock, () => loader.load());

  const before = cache.get(60_000);
  cache.invalidate(); // this process rotated its keys while the load read the old ones
  const after = cache.get(60_000);
  assert.equal(loader.loads, 2, 'a get after invalidate does not join the disowned load');
  loader.finish();
  assert.equal(await before, 1);
  assert.equal(await after, 2);
  assert.equal(cache.peek(), 2);
  assert.equal(await cache.get(60_000), 2);

  // The disowned load finishing last still does not overwrite the newer value.
  clock.advance(1);
  const stale = cache.get(1);
  cache.invalidate();
  const fresh = cache.get(60_000);
  assert.equal(loader.loads, 4);
  loader.finish(true);
  assert.equal(await stale, 3);
  assert.equal(await fresh, 4);
  assert.equal(cache.peek(), 4);
});

test('cached load: a failed load is not cached, and the next get tries again', async () => {
  const clock = new ManualClock(0);
  let fail = true;
  let loads = 0;
  const cache = new CachedLoad(clock, async () => {
    loads++;
    if (fail) throw new Error('database down');
    return 'keys';
  });
  await assert.rejects(cache.get(1000), /database down/);
  assert.equal(cache.peek(), undefined);
  fail = false;
  assert.equal(await cache.get(1000), 'keys');
  assert.equal(loads, 2);
});
