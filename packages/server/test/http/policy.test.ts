import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { LogCapture, makeApp, tableCounts, T0, TEST_ADMIN_KEY } from '../helpers/app.ts';
import { FAIL_OPEN_LOG_EVERY_MS, installPolicies } from '../../src/http/policy.ts';
import { MemoryRateLimitStore } from '../../src/http/rate-limit.ts';
import { ManualClock } from '../../src/clock.ts';
import type { VouchModule } from '../../src/module.ts';

interface OpenApiDoc {
  paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>;
}

/** Fills `{param}` placeholders so every documented path can be called. */
function concrete(path: string): string {
  return path.replace(/\{[^}]+\}/g, 'x');
}

eachEngine(
  'every non-public route in the OpenAPI document answers 401 without credentials and writes nothing',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage);
    try {
      const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as OpenApiDoc;
      const before = await tableCounts(storage);
      assert.ok(
        ['audit_log', 'server_keys', 'meta'].every((t) => t in before),
        'the check sees the real tables',
      );
      let protectedRoutes = 0;
      let publicRoutes = 0;
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          assert.ok(Array.isArray(op.security), `${method} ${path} documents its caller`);
          // `{}` among the requirements: anonymous callers are allowed (a public route with optional callers).
          if (op.security!.length === 0 || op.security!.some((s) => Object.keys(s).length === 0)) {
            publicRoutes++;
            continue;
          }
          protectedRoutes++;
          const url = concrete(path);
          const payload = ['post', 'put', 'patch'].includes(method) ? {} : undefined;
          for (const headers of [{}, { 'x-api-key': 'wrong-key-0123456789' }, { authorization: 'Bearer nope' }]) {
            const res = await app.inject({ method: method.toUpperCase() as 'GET', url, payload, headers });
            assert.equal(res.statusCode, 401, `${method.toUpperCase()} ${path} without valid credentials`);
            assert.equal((res.json() as { code: string }).code, 'UNAUTHORIZED');
          }
        }
      }
      assert.ok(protectedRoutes >= 2, `found ${protectedRoutes} protected routes`);
      assert.ok(publicRoutes >= 2, `found ${publicRoutes} public routes`);
      assert.deepEqual(await tableCounts(storage), before, 'refused requests wrote nothing');

      const ok = await app.inject({
        method: 'GET',
        url: '/api/v1/admin/audit',
        headers: { 'x-api-key': TEST_ADMIN_KEY },
      });
      assert.equal(ok.statusCode, 200);
    } finally {
      await app.close();
      await storage.close();
    }
  },
);

test('a route that declares no policy, or a caller with no authenticator, cannot be registered', async () => {
  const clock = new ManualClock(T0);
  const base = { rateLimitStore: new MemoryRateLimitStore(), defaultRateLimit: { max: 10, windowMs: 1000 }, clock };

  const a = Fastify();
  installPolicies(a, { ...base, authenticators: {} });
  await assert.rejects(async () => {
    a.get('/open', async () => 'x');
    await a.ready();
  }, /declares no policy/);

  const b = Fastify();
  installPolicies(b, { ...base, authenticators: {} });
  await assert.rejects(async () => {
    b.get('/owned', { config: { policy: { caller: 'owner', rateLimit: 'default' } } }, async () => 'x');
    await b.ready();
  }, /needs a "owner" authenticator/);
});

eachEngine(
  'rate limits answer 429 with Retry-After, per client address, and reset with the window',
  async ({ open }) => {
    const storage = await open();
    const { app, clock } = await makeApp(storage, {
      env: { VOUCH_RATE_LIMIT_MAX: '3', VOUCH_RATE_LIMIT_WINDOW_MS: '60000' },
    });
    try {
      const hit = (ip = '127.0.0.1', xff?: string) =>
        app.inject({
          method: 'GET',
          url: '/docs/json',
          remoteAddress: ip,
          headers: xff ? { 'x-forwarded-for': xff } : {},
        });
      for (let i = 0; i < 3; i++) assert.equal((await hit()).statusCode, 200);
      const limited = await hit();
      assert.equal(limited.statusCode, 429);
      assert.equal((limited.json() as { code: string }).code, 'RATE_LIMITED');
      assert.equal(limited.headers['retry-after'], '60');
      // A forged X-Forwarded-For does not buy a fresh bucket when no proxy is trusted.
      assert.equal((await hit('127.0.0.1', '10.9.9.9')).statusCode, 429);
      // Another client address has its own bucket.
      assert.equal((await hit('127.0.0.2')).statusCode, 200);
      clock.advance(30_000);
      assert.equal((await hit()).headers['retry-after'], '30');
      clock.advance(30_000);
      assert.equal((await hit()).statusCode, 200, 'a new window starts');
    } finally {
      await app.close();
      await storage.close();
    }
  },
);

eachEngine('X-Forwarded-For is honoured only when VOUCH_TRUST_PROXY is set', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, {
    env: { VOUCH_RATE_LIMIT_MAX: '1', VOUCH_TRUST_PROXY: '127.0.0.1' },
  });
  try {
    const hit = (xff: string) =>
      app.inject({ method: 'GET', url: '/docs/json', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': xff } });
    assert.equal((await hit('203.0.113.1')).statusCode, 200);
    assert.equal((await hit('203.0.113.1')).statusCode, 429);
    assert.equal((await hit('203.0.113.2')).statusCode, 200, 'the forwarded client address is the bucket');
  } finally {
    await app.close();
    await storage.close();
  }
});

eachEngine(
  'on PostgreSQL, processes share rate-limit counts; on SQLite one process keeps them',
  async ({ open, engine }) => {
    const s1 = await open();
    const s2 = await open();
    const env = { VOUCH_RATE_LIMIT_MAX: '4' };
    const a = await makeApp(s1, { env });
    const b = await makeApp(s2, { env, clock: a.clock });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) {
        // Not /healthz: health probes are limited per process (health-limit-per-process.test.ts).
        codes.push((await a.app.inject({ method: 'GET', url: '/.well-known/vouch-keys.json' })).statusCode);
        codes.push((await b.app.inject({ method: 'GET', url: '/.well-known/vouch-keys.json' })).statusCode);
      }
      if (engine === 'postgres') assert.deepEqual(codes, [200, 200, 200, 200, 429, 429]);
      else assert.deepEqual(codes, [200, 200, 200, 200, 200, 200]);
    } finally {
      await a.app.close();
      await b.app.close();
      await s1.close();
      await s2.close();
    }
  },
);

eachEngine('a route may admit several callers; modules contribute authenticators', async ({ open }) => {
  const storage = await open();
  // The `owner` authenticator comes from the agents module; this module only declares a route that admits it.
  const ownerModule: VouchModule = {
    name: 'owner-test',
    routes: (app) => {
      app.get(
        '/test/owned',
        { config: { policy: { caller: ['owner', 'admin'], rateLimit: 'default' } } },
        async (req) => ({ principal: req.principal }),
      );
    },
  };
  const { app } = await makeApp(storage, { modules: [ownerModule] });
  try {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/owners',
      headers: { 'x-api-key': TEST_ADMIN_KEY },
      payload: { name: 'Alice', handle: 'alice' },
    });
    const { ownerId, apiKey } = created.json() as { ownerId: string; apiKey: string };
    const asOwner = await app.inject({
      method: 'GET',
      url: '/test/owned',
      headers: { authorization: `Bearer ${apiKey}` },
    });
    assert.deepEqual(asOwner.json(), { principal: { caller: 'owner', id: ownerId } });
    const asAdmin = await app.inject({ method: 'GET', url: '/test/owned', headers: { 'x-api-key': TEST_ADMIN_KEY } });
    assert.deepEqual(asAdmin.json(), { principal: { caller: 'admin', id: 'admin' } });
    const nobody = await app.inject({
      method: 'GET',
      url: '/test/owned',
      headers: { authorization: `Bearer ${apiKey}x` },
    });
    assert.equal(nobody.statusCode, 401);
    assert.match((nobody.json() as { error: string }).error, /owner's credentials, or the admin key/);
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as OpenApiDoc;
    assert.deepEqual(doc.paths['/test/owned']!.get!.security, [{ ownerToken: [] }, { adminKey: [] }]);
  } finally {
    await app.close();
  }
});

test('the policy decides the same whether the rate-limit store and authenticators answer at once or later', async () => {
  const clock = new ManualClock(T0);
  type Mode = 'sync' | 'async';
  const later = <T>(mode: Mode, value: () => T): T | Promise<T> =>
    mode === 'sync'
      ? value()
      : new Promise<T>((resolve, reject) =>
          setImmediate(() => {
            try {
              resolve(value());
            } catch (err) {
              reject(err as Error);
            }
          }),
        );
  const build = async (mode: Mode, limitMax: number) => {
    const memory = new MemoryRateLimitStore();
    let storeDown = false;
    const app = Fastify();
    installPolicies(app, {
      clock,
      defaultRateLimit: { max: limitMax, windowMs: 60_000 },
      rateLimitStore: {
        hit: (bucket, windowMs, now) =>
          later(mode, () => {
            if (storeDown) throw new Error('store down');
            return memory.hit(bucket, windowMs, now);
          }),
        prune: async () => undefined,
      },
      authenticators: {
        admin: (req) =>
          later(mode, () => (req.headers['x-api-key'] === 'admin' ? { caller: 'admin', id: 'admin' } : null)),
        integrator: (req) =>
          later(mode, () => {
            if (req.headers.authorization === 'Bearer boom') throw new Error('lookup failed');
            return req.headers.authorization === 'Bearer int' ? { caller: 'integrator', id: 'acme' } : null;
          }),
        // Claims to be someone else: never accepted as an owner.
        owner: (req) =>
          later(mode, () => (req.headers.authorization === 'Bearer liar' ? { caller: 'admin', id: 'x' } : null)),
      },
    });
    const who = async (req: { principal: unknown }) => ({ principal: req.principal });
    app.get(
      '/public',
      { config: { policy: { caller: 'public', optionalCaller: ['admin', 'integrator'], rateLimit: 'default' } } },
      who,
    );
    app.get('/owned', { config: { policy: { caller: ['owner', 'admin'], rateLimit: 'default' } } }, who);
    await app.ready();
    return { app, setStoreDown: (down: boolean) => (storeDown = down) };
  };
  const outcomes: Record<Mode, unknown[]> = { sync: [], async: [] };
  for (const mode of ['sync', 'async'] as const) {
    const { app, setStoreDown } = await build(mode, 4);
    const call = async (url: string, headers: Record<string, string> = {}) => {
      const res = await app.inject({ method: 'GET', url, headers });
      return {
        status: res.statusCode,
        body: res.statusCode === 200 ? res.json() : undefined,
        remaining: res.headers['x-ratelimit-remaining'],
      };
    };
    outcomes[mode].push(
      await call('/public'),
      await call('/public', { 'x-api-key': 'admin' }),
      await call('/public', { authorization: 'Bearer int' }),
      await call('/public', { authorization: 'Bearer boom' }),
      await call('/public'), // the fifth hit in the window: limited
      await call('/owned'),
      await call('/owned', { 'x-api-key': 'admin' }),
      await call('/owned', { authorization: 'Bearer liar' }),
    );
    setStoreDown(true);
    outcomes[mode].push(await call('/public'), await call('/owned', { 'x-api-key': 'admin' })); // fails open
    await app.close();
  }
  assert.deepEqual(outcomes.sync, outcomes.async);
  const statuses = outcomes.sync.map((o) => (o as { status: number }).status);
  assert.deepEqual(statuses, [200, 200, 200, 500, 429, 401, 200, 401, 200, 200]);
  assert.deepEqual((outcomes.sync[1] as { body: unknown }).body, { principal: { caller: 'admin', id: 'admin' } });
  assert.deepEqual((outcomes.sync[2] as { body: unknown }).body, { principal: { caller: 'integrator', id: 'acme' } });
  assert.deepEqual((outcomes.sync[0] as { body: unknown }).body, { principal: null });
});

test('a rate-limit store that fails open is logged once per interval for the whole app, with what was left unsaid', async () => {
  const clock = new ManualClock(T0);
  const log = new LogCapture();
  const app = Fastify({ logger: { level: 'warn', stream: log } });
  installPolicies(app, {
    clock,
    defaultRateLimit: { max: 10, windowMs: 60_000 },
    rateLimitStore: {
      hit: () => {
        throw new Error('store down');
      },
      prune: async () => undefined,
    },
    authenticators: {},
  });
  const ok = async () => ({ ok: true });
  app.get('/a', { config: { policy: { caller: 'public', rateLimit: 'default' } } }, ok);
  app.get('/b', { config: { policy: { caller: 'public', rateLimit: 'default' } } }, ok);
  await app.ready();
  try {
    const warnings = () =>
      log.lines
        .map((l) => JSON.parse(l) as { msg: string; suppressed?: number })
        .filter((l) => /limiting in this process only/.test(l.msg));
    for (let i = 0; i < 5; i++) {
      assert.equal((await app.inject({ url: i % 2 === 0 ? '/a' : '/b' })).statusCode, 200, 'fails open');
    }
    assert.deepEqual(
      warnings().map((w) => w.suppressed),
      [0],
    );
    clock.advance(FAIL_OPEN_LOG_EVERY_MS - 1);
    await app.inject({ url: '/a' });
    assert.equal(warnings().length, 1);
    clock.advance(1);
    await app.inject({ url: '/b' });
    assert.deepEqual(
      warnings().map((w) => w.suppressed),
      [0, 5],
    );
  } finally {
    await app.close();
  }
});
