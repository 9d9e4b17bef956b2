// The rate-limit stores hold one window per route and client address in memory. A client address is what the
// attacker chooses most freely (an IPv6 /48 is 65,536 /64s, each its own client), so what a store holds must have a
// bound that no number of distinct clients passes, and the limit must still hold for a client while it is full.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { adminKeyDigests } from '../../src/http/admin-auth.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import {
  BatchedRateLimitStore,
  MemoryRateLimitStore,
  RATE_LIMIT_LOCAL_MIN,
  RATE_LIMIT_MEMORY_WINDOWS,
} from '../../src/http/rate-limit.ts';
import { openStorage } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { T0, TEST_ADMIN_KEY } from '../helpers/app.ts';

const HOUR = 3_600_000;
const NOW = T0 + 1_000;

/** The /64 of the `i`-th client of one /48: every one a client of its own. */
const client = (i: number): string => `2001:db8:1:${i.toString(16)}::/64`;

test('MemoryRateLimitStore: distinct clients never grow it past RATE_LIMIT_MEMORY_WINDOWS', () => {
  const store = new MemoryRateLimitStore();
  // Hour-long windows (the slug registration's): none ends during the flood, so no prune would free any.
  for (let i = 0; i < RATE_LIMIT_MEMORY_WINDOWS + 1000; i++) store.hit(`POST /v1/identity/register|${i}`, HOUR, NOW);
  assert.equal(store.size, RATE_LIMIT_MEMORY_WINDOWS);
});

test('MemoryRateLimitStore: a full store forgets the window that started longest ago, never a newer one', () => {
  const store = new MemoryRateLimitStore({ maxWindows: 3 });
  const at = (bucket: string, now: number) => store.hit(bucket, 60_000, now).count;
  at('old', NOW);
  at('a', NOW);
  at('b', NOW);
  // `old` starts a new window: it is now the newest, and `a` the oldest.
  assert.equal(at('old', NOW + 60_000), 1);
  assert.equal(at('old', NOW + 60_000), 2);
  at('c', NOW + 60_000);
  assert.equal(store.size, 3);
  assert.equal(at('old', NOW + 60_000), 3, 'the renewed window kept its count');
  assert.equal(at('b', NOW + 60_000), 1, 'b started longest ago: forgotten when c came');
});

test('MemoryRateLimitStore: maxWindows must be a positive integer', () => {
  for (const maxWindows of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => new MemoryRateLimitStore({ maxWindows }), RangeError, String(maxWindows));
  }
});

test('the app on its memory store: a flood of /64s stays within the bound, and a limited client stays limited', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-rl-bound-'));
  const storage = await openStorage({ dataDir });
  const rateLimitStore = new MemoryRateLimitStore({ maxWindows: 64 });
  const config = loadConfig({
    VOUCH_DATA_DIR: dataDir,
    VOUCH_LOG_LEVEL: 'silent',
    VOUCH_SLUG_REGISTER_RATE_MAX: '2',
  });
  const { app } = await buildApp({
    config,
    storage,
    kek: Buffer.alloc(32, 7),
    adminKeys: adminKeyDigests(TEST_ADMIN_KEY),
    clock: new ManualClock(NOW),
    rateLimitStore,
  });
  // A junk registration: counted (before the body is read) and refused for its body, writing nothing.
  const register = (ip: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/identity/register',
      remoteAddress: ip,
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
  try {
    for (let i = 0; i < 500; i++) {
      const res = await register(`2001:db8:1:${i.toString(16)}::${(i % 7) + 1}`);
      assert.equal(res.statusCode, 400, `client ${client(i)}: ${res.body}`);
    }
    assert.equal(rateLimitStore.size, 64);
    // The store is full of others' windows: a new client is still limited, and its window is kept.
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await register('203.0.113.7')).statusCode);
    assert.deepEqual(codes, [400, 400, 429]);
    assert.equal(rateLimitStore.size, 64);
  } finally {
    await app.close();
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

eachEngine('BatchedRateLimitStore: holds nothing for limits it always counts in the database', async ({ open }) => {
  const store = new BatchedRateLimitStore(await open(), { maxWindows: 8 });
  try {
    // Limits under RATE_LIMIT_LOCAL_MIN are counted in the database on every hit, exactly: nothing to hold for them.
    for (let i = 0; i < 20; i++) await store.hit(`POST /v1/identity/register|${client(i)}`, HOUR, NOW, 20);
    assert.equal(store.size, 0);
    const counts: number[] = [];
    for (let i = 0; i < 3; i++)
      counts.push((await store.hit(`POST /v1/identity/register|${client(0)}`, HOUR, NOW, 20)).count);
    assert.deepEqual(counts, [2, 3, 4]);
  } finally {
    await store.close();
  }
});

eachEngine('BatchedRateLimitStore: holds at most maxWindows windows, and stays exact past them', async ({ open }) => {
  const storage = await open();
  const store = new BatchedRateLimitStore(storage, { maxWindows: 8 });
  try {
    const max = RATE_LIMIT_LOCAL_MIN;
    for (let i = 0; i < 20; i++) await store.hit(`GET /healthz|${client(i)}`, HOUR, NOW, max);
    assert.equal(store.size, 8);

    // A client past the bound is counted in the database, exactly: max admitted, then refused.
    const counts: number[] = [];
    for (let i = 0; i < max + 2; i++)
      counts.push((await store.hit(`GET /healthz|${client(99)}`, HOUR, NOW, max)).count);
    assert.deepEqual(counts.slice(-3), [max, max + 1, max + 2]);
    assert.equal(store.size, 8);
    // The windows held and counted locally still reach the database.
    await store.flush();
    const rows = await storage.db.selectFrom('rate_limits').select(['bucket', 'count']).execute();
    assert.equal(rows.length, 21);
    assert.ok(rows.every((r) => Number(r.count) === (r.bucket.endsWith(client(99)) ? max + 2 : 1)));
  } finally {
    await store.close();
  }
});

test('BatchedRateLimitStore: maxWindows must be a positive integer', () => {
  for (const maxWindows of [0, -1, 1.5]) {
    assert.throws(() => new BatchedRateLimitStore(undefined as never, { maxWindows }), RangeError, String(maxWindows));
  }
});
