// Owner and integrator keys that authenticated lately are counted in a bucket of their principal, not in their
// address's: counted by address alone, whoever shared an owner's or integrator's address (everyone, behind a proxy the
// server does not trust) could spend its allowance with junk keys and lock it out. Which keys authenticated lately is
// a bounded cache of digests in each process, filled by authentication (no lookup per junk key); it never
// authenticates, so a key rotated away is refused even while a process still holds it. A rotation forgets the old key
// at once in the process that made it, and in the others as its announcement arrives (PostgreSQL LISTEN/NOTIFY; the
// apps share a pinned clock, so only the announcement can make them forget it), else at its first refusal.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, twoProcesses } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { createOwner } from '../agents/helpers.ts';
import { ADMIN, bearer, createIntegrator, event, post } from '../integrators/helpers.ts';
import { listenerHears } from '../helpers/listening.ts';
import { BOUND_MS, within } from '../helpers/within.ts';
import { recentKeysOf } from '../../src/http/recent-keys.ts';
import { hashSecret } from '../../src/http/secrets.ts';

const ADDRESS = '203.0.113.9';
const OTHER_ADDRESS = '198.51.100.4';
const ENV = {
  VOUCH_PUBLIC_URL: 'https://vouch.test',
  VOUCH_POW_DIFFICULTY: '0',
  VOUCH_LOG_LEVEL: 'silent',
  VOUCH_RATE_LIMIT_MAX: '3',
  VOUCH_INGEST_RATE_MAX: '3',
};

/** One kind of looked-up key: how to get one, use it on a route limited to 3 a minute, and rotate it. */
interface Kind {
  name: 'owner' | 'integrator';
  junk: (i: number) => string;
  make: (t: TestApp) => Promise<string>;
  call: (t: TestApp, key: string, address?: string) => Promise<LightMyRequestResponse>;
  /** Rotates `key` through `t` (another process, or the same), answering the new key. */
  rotate: (t: TestApp, key: string) => Promise<string>;
  /** The status of a call that authenticated. */
  ok: number;
}

const OWNER: Kind = {
  name: 'owner',
  junk: (i) => `vouch_owner_junk${i}0123456789abcdefghijklmnopqrstuv`,
  make: async (t) => (await createOwner(t.app, 'ada')).apiKey,
  call: (t, key, address = ADDRESS) =>
    t.app.inject({ method: 'GET', url: '/api/v1/owners/me', remoteAddress: address, headers: bearer(key) }),
  rotate: async (t, key) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/owners/me/rotate-key', headers: bearer(key) });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { apiKey: string }).apiKey;
  },
  ok: 200,
};

const INTEGRATOR: Kind = {
  name: 'integrator',
  junk: (i) => `vik_junk${i}0123456789abcdefghijklmnopqrstuvwxyz`,
  make: (t) =>
    createIntegrator(t, 'shop', [{ metricKey: 'tasks_completed', polarity: 'boost', weight: 1, lane: 'conduct' }]),
  call: (t, key, address = ADDRESS) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/ingest',
      remoteAddress: address,
      headers: bearer(key),
      payload: event('shop', 'user-9', [], { subjectType: 'human', actorType: 'system', actorId: 'sys:cron' }),
    }),
  rotate: async (t) => {
    const res = await post(t, '/api/v1/admin/integrators/shop/rotate-key', {}, ADMIN);
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { apiKey: string }).apiKey;
  },
  ok: 200,
};

/** Whether `t` holds `key` among its recently authenticated keys of the kind (which counts as a use of it). */
function knows(t: TestApp, kind: Kind, key: string): boolean {
  return recentKeysOf(t.ctx)[kind.name].idOf(hashSecret(key)) !== undefined;
}

/** Spends ADDRESS's allowance with junk keys: `n` refused with 401, then one with 429. */
async function exhaust(t: TestApp, kind: Kind, n: number): Promise<void> {
  const codes: number[] = [];
  for (let i = 0; i <= n; i++) codes.push((await kind.call(t, kind.junk(i))).statusCode);
  assert.deepEqual(codes, [...Array<number>(n).fill(401), 429], 'junk keys are limited per address');
}

for (const kind of [OWNER, INTEGRATOR]) {
  eachEngine(`junk keys from an ${kind.name}’s address do not lock the ${kind.name} out`, async ({ open }) => {
    const t = await makeApp(await open(), { env: ENV });
    try {
      const key = await kind.make(t);
      // Its first use is counted per address (nothing knows the key yet) and makes it known.
      assert.equal((await kind.call(t, key)).statusCode, kind.ok);
      await exhaust(t, kind, 2);

      const own = await kind.call(t, key);
      assert.equal(own.statusCode, kind.ok, own.body);
      assert.equal(own.headers['x-ratelimit-remaining'], '2', `the ${kind.name}’s own bucket`);
      // Limited all the same, at the route's limit, from any address; junk from elsewhere spends none of it.
      assert.equal((await kind.call(t, key, OTHER_ADDRESS)).statusCode, kind.ok);
      assert.equal((await kind.call(t, kind.junk(99), OTHER_ADDRESS)).statusCode, 401);
      assert.equal((await kind.call(t, key)).statusCode, kind.ok);
      const limited = await kind.call(t, key, OTHER_ADDRESS);
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().code, 'RATE_LIMITED');
      // The address's allowance is still spent; both come back when the window ends.
      assert.equal((await kind.call(t, kind.junk(100))).statusCode, 429);
      t.clock.advance(60_000);
      assert.equal((await kind.call(t, key)).statusCode, kind.ok);
    } finally {
      await t.app.close();
    }
  });

  eachEngine(`an ${kind.name} key rotated in this process is refused and forgotten`, async ({ open }) => {
    const t = await makeApp(await open(), { env: ENV });
    try {
      const old = await kind.make(t);
      assert.equal((await kind.call(t, old)).statusCode, kind.ok);
      const fresh = await kind.rotate(t, old);

      const refused = await kind.call(t, old);
      assert.equal(refused.statusCode, 401, refused.body);
      assert.equal(refused.headers['x-ratelimit-remaining'], '1', 'forgotten: counted per address');
      await exhaust(t, kind, 1);
      assert.equal((await kind.call(t, old)).statusCode, 429, 'the old key spends the address’s allowance');
      // The rotation made the new key known: it has its principal's bucket from its first use.
      const own = await kind.call(t, fresh);
      assert.equal(own.statusCode, kind.ok, own.body);
      assert.equal(own.headers['x-ratelimit-remaining'], '2');
    } finally {
      await t.app.close();
    }
  });

  eachEngine(
    `an ${kind.name} key rotated by another process: forgotten here as announced`,
    async ({ open, engine }) => {
      const { a, b } = await twoProcesses(open, ENV);
      try {
        const old = await kind.make(a);
        assert.equal((await kind.call(b, old)).statusCode, kind.ok); // B knows it now (per address: 2 left)
        if (engine === 'postgres') await listenerHears(b.ctx.storage);
        const heard: string[] = [];
        const off = b.ctx.storage.changes.subscribe((topic) => heard.push(topic));
        try {
          await kind.rotate(a, old);
          if (engine === 'postgres') {
            // The rotation is announced as it commits, naming the principal and never the key or its digest.
            await within(BOUND_MS, 'B forgets the old key', async () => !knows(b, kind, old));
            assert.ok(
              heard.length > 0 && !heard.some((t) => t.includes(old) || t.includes(hashSecret(old))),
              `${heard}`,
            );
          }
        } finally {
          off();
        }

        const refused = await kind.call(b, old);
        assert.equal(refused.statusCode, 401, refused.body);
        if (engine === 'postgres') {
          assert.equal(refused.headers['x-ratelimit-remaining'], '1', 'forgotten: counted per address');
          await exhaust(b, kind, 1);
        } else {
          // SQLite runs one process per database: nothing is announced, and B, which still knows the old key, counts
          // it in the principal's bucket; authentication refuses it all the same, and the refusal makes B forget it.
          assert.equal(refused.headers['x-ratelimit-remaining'], '2', 'counted in the principal’s bucket');
          await exhaust(b, kind, 2);
        }
        assert.equal((await kind.call(b, old)).statusCode, 429);
      } finally {
        await a.app.close();
        await b.app.close();
      }
    },
  );

  eachEngine(`an ${kind.name}’s bucket is shared by every process on one database`, async ({ open, engine }) => {
    const { a, b } = await twoProcesses(open, ENV);
    try {
      const key = await kind.make(a);
      // Each process learns the key from an authentication of its own (counted per address).
      assert.equal((await kind.call(a, key)).statusCode, kind.ok);
      assert.equal((await kind.call(b, key, OTHER_ADDRESS)).statusCode, kind.ok);
      for (let i = 0; i < 3; i++) assert.equal((await kind.call(a, key)).statusCode, kind.ok, `call #${i + 1}`);
      assert.equal((await kind.call(a, key)).statusCode, 429);
      // SQLite runs one process per database (in-memory limits); PostgreSQL shares them.
      const fourth = await kind.call(b, key, OTHER_ADDRESS);
      assert.equal(fourth.statusCode, engine === 'postgres' ? 429 : kind.ok, fourth.body);
    } finally {
      await a.app.close();
      await b.app.close();
    }
  });
}
