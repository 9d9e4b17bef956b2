// Gaps found by mutation testing in the rate-limit stores (http/rate-limit.ts): a client with a long address is
// limited like any other, and neither a prune nor a flush of locally counted hits hands a running window a fresh
// allowance.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchedRateLimitStore, MemoryRateLimitStore } from '../../src/http/rate-limit.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

const WINDOW = 60_000;
const NOW = 1_700_000_000_000 - (1_700_000_000_000 % WINDOW) + 1_000;
/** A limit counted in memory by BatchedRateLimitStore while far from it (RATE_LIMIT_LOCAL_MIN or more). */
const MAX = 100;

eachEngine(
  'behind a trusted proxy, a client with an address longer than a bucket name keeps is limited too',
  async ({ open }) => {
    const { app } = await makeApp(await open(), { env: { VOUCH_TRUST_PROXY: 'true', VOUCH_RATE_LIMIT_MAX: '2' } });
    try {
      const get = (xff: string) =>
        app.inject({ method: 'GET', url: '/docs/json', headers: { 'x-forwarded-for': xff } });
      const long = `${'z'.repeat(300)}1`;
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) codes.push((await get(long)).statusCode);
      assert.deepEqual(codes, [200, 200, 429]);
      // One character further along: another client with its own allowance.
      assert.equal((await get(`${'z'.repeat(300)}2`)).statusCode, 200);
    } finally {
      await app.close();
    }
  },
);

test('MemoryRateLimitStore: a prune keeps running windows and drops ended ones', async () => {
  const store = new MemoryRateLimitStore();
  for (let i = 0; i < 3; i++) store.hit('b', WINDOW, NOW);
  await store.prune(NOW + 1);
  assert.equal(store.hit('b', WINDOW, NOW + 2).count, 4, 'the running window kept its count');
  const end = NOW - (NOW % WINDOW) + WINDOW;
  await store.prune(end - 1);
  assert.equal(store.hit('b', WINDOW, end - 1).count, 5, 'still running one millisecond before its end');
  await store.prune(end);
  assert.equal(store.hit('b', WINDOW, end).count, 1, 'the next window starts from one');
});

/** Hits `bucket` `n` times at NOW and returns how many were admitted (count at most MAX). */
async function admitted(store: BatchedRateLimitStore, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) if ((await store.hit('GET /x|203.0.113.9', WINDOW, NOW, MAX)).count <= MAX) ok++;
  return ok;
}

eachEngine('BatchedRateLimitStore: flushes between hits counted locally admit no more than max', async ({ open }) => {
  const store = new BatchedRateLimitStore(await open());
  try {
    // The timer's flush every 100 ms: each writes what was counted since, and the window's count goes on from it.
    let ok = 0;
    for (let round = 0; round < 6; round++) {
      ok += await admitted(store, 40);
      await store.flush();
    }
    assert.equal(ok, MAX);
  } finally {
    await store.close();
  }
});

eachEngine('BatchedRateLimitStore: a prune while a window runs admits no more than max in it', async ({ open }) => {
  const store = new BatchedRateLimitStore(await open());
  try {
    let ok = await admitted(store, 60);
    await store.prune(NOW + 1); // what the server's minute timer does
    ok += await admitted(store, 100);
    assert.equal(ok, MAX);
  } finally {
    await store.close();
  }
});

eachEngine(
  'Retry-After rounds the time left in the window up: a client that waits it is admitted',
  async ({ open }) => {
    const { app, clock } = await makeApp(await open(), {
      env: { VOUCH_RATE_LIMIT_MAX: '1', VOUCH_RATE_LIMIT_WINDOW_MS: '60000' },
    });
    try {
      clock.advance(20_500); // 39.5 s left in the window
      assert.equal((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode, 200);
      const limited = await app.inject({ method: 'GET', url: '/docs/json' });
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.headers['retry-after'], '40');
      clock.advance(39_000); // a client retrying one second early is refused again
      assert.equal((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode, 429);
      clock.advance(1_000);
      assert.equal((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode, 200);
    } finally {
      await app.close();
    }
  },
);

eachEngine(
  'behind a proxy that forwards ip:port, each new connection of one client shares that client allowance',
  async ({ open }) => {
    const { app } = await makeApp(await open(), { env: { VOUCH_TRUST_PROXY: 'true', VOUCH_RATE_LIMIT_MAX: '3' } });
    try {
      const get = (xff: string) =>
        app.inject({ method: 'GET', url: '/docs/json', headers: { 'x-forwarded-for': xff } });
      const codes: number[] = [];
      for (const xff of ['203.0.113.7:50001', '203.0.113.7:50002', '203.0.113.7', '203.0.113.7:50003']) {
        codes.push((await get(xff)).statusCode);
      }
      assert.deepEqual(codes, [200, 200, 200, 429]);
      const v6: number[] = [];
      for (const xff of ['[2001:db8:1:2::1]:443', '[2001:db8:1:2::2]:444', '2001:db8:1:2::3', '[2001:db8:1:2::4]']) {
        v6.push((await get(xff)).statusCode);
      }
      assert.deepEqual(v6, [200, 200, 200, 429]);
    } finally {
      await app.close();
    }
  },
);

eachEngine('HEAD and GET of one path share one allowance: HEAD is a GET without its body', async ({ open }) => {
  const { app } = await makeApp(await open(), { env: { VOUCH_RATE_LIMIT_MAX: '2' } });
  try {
    const codes: number[] = [];
    for (const method of ['GET', 'HEAD', 'HEAD', 'GET'] as const) {
      codes.push((await app.inject({ method, url: '/docs/json' })).statusCode);
    }
    assert.deepEqual(codes, [200, 200, 429, 429]);
  } finally {
    await app.close();
  }
});
