// A clock stepped back across a window boundary (NTP, a VM resumed) must not hand a limited client a fresh count
// before its window ends: the database stores keep every window by (bucket, start), so the later window's count
// survives a hit at an earlier time; the memory store, one window per bucket, must not replace it either.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryRateLimitStore } from '../../src/http/rate-limit.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';

const WINDOW = 60_000;
/** The start of a window. */
const BOUNDARY = T0 + 10 * WINDOW;

test('MemoryRateLimitStore: a clock stepped back across a window boundary never resets a running window', () => {
  const store = new MemoryRateLimitStore();
  const at = (now: number) => store.hit('GET /x|203.0.113.9', WINDOW, now);
  for (let i = 0; i < 3; i++) at(BOUNDARY + 1_000);
  assert.deepEqual(at(BOUNDARY - 1_000), { count: 4, resetAtMs: BOUNDARY + WINDOW }, 'stepped back: counted on');
  assert.deepEqual(at(BOUNDARY + 2_000), { count: 5, resetAtMs: BOUNDARY + WINDOW }, 'back again: its count kept');
  assert.equal(at(BOUNDARY + WINDOW).count, 1, 'the next window starts from one');
  // A bucket reused with another window length still starts a window of that length.
  assert.deepEqual(store.hit('GET /x|203.0.113.9', 1_000, BOUNDARY), { count: 1, resetAtMs: BOUNDARY + 1_000 });
});

eachEngine(
  'a limited client is still limited after the clock stepped back and came forward again',
  async ({ open }) => {
    const { app, clock } = await makeApp(await open(), {
      env: { VOUCH_RATE_LIMIT_MAX: '2', VOUCH_RATE_LIMIT_WINDOW_MS: String(WINDOW) },
    });
    try {
      const get = async () => (await app.inject({ method: 'GET', url: '/docs/json' })).statusCode;
      clock.set(BOUNDARY + 1_000);
      assert.deepEqual([await get(), await get(), await get()], [200, 200, 429]);
      clock.set(BOUNDARY - 1_000); // a step back into the window before
      await get();
      clock.set(BOUNDARY + 2_000);
      assert.equal(await get(), 429, 'the window that limited the client has not ended');
      clock.set(BOUNDARY + WINDOW);
      assert.equal(await get(), 200);
    } finally {
      await app.close();
    }
  },
);
