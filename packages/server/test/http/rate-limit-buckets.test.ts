// Which rate-limit bucket a request counts in: HEAD in its GET's, aliases of one handler in one, and a client-chosen
// address of any length in one the database accepts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import Fastify from 'fastify';
import { buildApp } from '../../src/app.ts';
import { adminKeyDigests } from '../../src/http/admin-auth.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { installPolicies } from '../../src/http/policy.ts';
import type { RoutePolicy } from '../../src/http/policy.ts';
import { BatchedRateLimitStore, boundedBucket, MemoryRateLimitStore } from '../../src/http/rate-limit.ts';
import type { RateLimitLog } from '../../src/http/rate-limit.ts';
import { eachEngine } from '../helpers/storage.ts';
import { LogCapture, makeApp, T0, TEST_ADMIN_KEY } from '../helpers/app.ts';

eachEngine('HEAD counts in its GET route’s bucket, and /ingest in /api/v1/ingest’s', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: { VOUCH_RATE_LIMIT_MAX: '3', VOUCH_INGEST_RATE_MAX: '2' } });
  try {
    const codes: number[] = [];
    for (const method of ['GET', 'HEAD', 'GET', 'HEAD'] as const) {
      codes.push((await app.inject({ method, url: '/docs/json' })).statusCode);
    }
    assert.deepEqual(codes, [200, 200, 200, 429]);
    // Counted before the caller is checked: 401 while under the limit, then 429 for both paths.
    const ingest = async (url: string) => (await app.inject({ method: 'POST', url, payload: {} })).statusCode;
    assert.deepEqual(
      [
        await ingest('/ingest'),
        await ingest('/api/v1/ingest'),
        await ingest('/ingest'),
        await ingest('/api/v1/ingest'),
      ],
      [401, 401, 429, 429],
    );
  } finally {
    await app.close();
  }
});

test('only routes sharing both handler and policy share a bucket; the store gets the app’s logger', async () => {
  const buckets: string[] = [];
  const logs: RateLimitLog[] = [];
  const memory = new MemoryRateLimitStore();
  const store = {
    hit: (bucket: string, windowMs: number, nowMs: number) => (
      buckets.push(bucket),
      memory.hit(bucket, windowMs, nowMs)
    ),
    prune: (nowMs: number) => memory.prune(nowMs),
    useLogger: (log: RateLimitLog) => void logs.push(log),
  };
  const app = Fastify();
  installPolicies(app, {
    rateLimitStore: store,
    defaultRateLimit: { max: 10, windowMs: 1000 },
    clock: new ManualClock(T0),
    authenticators: {},
  });
  assert.deepEqual(logs, [app.log]);
  const policy: RoutePolicy = { caller: 'public', rateLimit: 'default' };
  const handler = async () => 'x';
  app.post('/a', { config: { policy } }, handler);
  app.post('/a-alias', { config: { policy } }, handler);
  app.post('/other-handler', { config: { policy } }, async () => 'y');
  app.post('/other-policy', { config: { policy: { ...policy } } }, handler);
  app.get('/page', { config: { policy } }, async () => 'page');
  for (const [method, url] of [
    ['POST', '/a'],
    ['POST', '/a-alias'],
    ['POST', '/other-handler'],
    ['POST', '/other-policy'],
    ['HEAD', '/page'],
  ] as const) {
    assert.equal((await app.inject({ method, url })).statusCode, 200, `${method} ${url}`);
  }
  assert.deepEqual(buckets, [
    'POST /a|127.0.0.1',
    'POST /a|127.0.0.1',
    'POST /other-handler|127.0.0.1',
    'POST /other-policy|127.0.0.1',
    'GET /page|127.0.0.1',
  ]);
  await app.close();
});

eachEngine(
  'behind a trusted proxy, a 600-character X-Forwarded-For stops no other client’s count being published',
  async ({ open }) => {
    const storage = await open();
    // The store PostgreSQL deployments use, on either engine.
    const config = loadConfig({ VOUCH_DATA_DIR: '/nonexistent-test-dir', VOUCH_TRUST_PROXY: 'true' });
    const { app } = await buildApp({
      config,
      storage,
      kek: randomBytes(32),
      adminKeys: adminKeyDigests(TEST_ADMIN_KEY),
      clock: new ManualClock(T0),
      logger: createLogger('info', new LogCapture()),
      rateLimitStore: new BatchedRateLimitStore(storage),
    });
    const long = 'z'.repeat(600);
    // A route limited in the shared store (health probes are limited per process).
    const url = '/.well-known/vouch-keys.json';
    const get = (xff: string) => app.inject({ method: 'GET', url, headers: { 'x-forwarded-for': xff } });
    assert.equal((await get(long)).statusCode, 200);
    for (let i = 0; i < 5; i++) assert.equal((await get('10.8.8.2')).statusCode, 200);
    await app.close(); // publishes what was counted locally
    const rows = await storage.db.selectFrom('rate_limits').select(['bucket', 'count']).execute();
    assert.deepEqual(
      new Map(rows.map((r) => [r.bucket, Number(r.count)])),
      new Map([
        [`GET ${url}|10.8.8.2`, 5],
        [boundedBucket(`GET ${url}|${long}`), 1],
      ]),
    );
  },
);
