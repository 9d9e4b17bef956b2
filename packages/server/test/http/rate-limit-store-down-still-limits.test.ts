// When the shared rate-limit store (the database) fails, requests are still served (liveness, cached answers, and
// every route that needs no database), but not unlimited: the admin key is checked without the database, so an
// outage used to give whoever guesses it unlimited tries. Each process counts on its own until the store answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { installPolicies } from '../../src/http/policy.ts';
import { adminAuthenticator, adminKeyDigests } from '../../src/http/admin-auth.ts';
import type { RateLimitStore } from '../../src/http/rate-limit.ts';
import { ManualClock } from '../../src/clock.ts';
import { T0 } from '../helpers/app.ts';

const stores: Record<string, RateLimitStore> = {
  'throws at once': {
    hit: () => {
      throw new Error('store down');
    },
    prune: async () => undefined,
  },
  'rejects later': { hit: () => Promise.reject(new Error('store down')), prune: async () => undefined },
};

for (const [how, rateLimitStore] of Object.entries(stores)) {
  test(`a rate-limit store that ${how} still leaves each route limited in this process`, async () => {
    const clock = new ManualClock(T0);
    const app = Fastify({ logger: false });
    installPolicies(app, {
      clock,
      defaultRateLimit: { max: 100, windowMs: 60_000 },
      rateLimitStore,
      authenticators: { admin: adminAuthenticator(adminKeyDigests('the-right-admin-key-0123456789')) },
    });
    const limit = { max: 3, windowMs: 60_000 };
    app.get('/admin', { config: { policy: { caller: 'admin', rateLimit: limit } } }, async () => ({ ok: true }));
    app.get('/public', { config: { policy: { caller: 'public', rateLimit: limit } } }, async () => ({ ok: true }));
    await app.ready();
    try {
      const guess = (key: string) => app.inject({ url: '/admin', headers: { 'x-api-key': key } });
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await guess(`wrong-guess-${i}-0123456789abcdef`)).statusCode);
      assert.deepEqual(codes, [401, 401, 401, 429, 429]);
      // The admin is counted in a bucket of its own (wrong guesses do not lock it out), limited in this process too.
      const admin: number[] = [];
      for (let i = 0; i < 4; i++) admin.push((await guess('the-right-admin-key-0123456789')).statusCode);
      assert.deepEqual(admin, [200, 200, 200, 429]);
      const limited = await guess(`wrong-guess-last-0123456789abcdef`);
      assert.equal(limited.statusCode, 429);
      assert.ok(Number(limited.headers['retry-after']) > 0);
      // Another route has its own count, and the next window starts afresh.
      assert.equal((await app.inject({ url: '/public' })).statusCode, 200);
      clock.advance(60_000);
      assert.equal((await guess('the-right-admin-key-0123456789')).statusCode, 200);
      assert.equal((await guess('wrong-guess-next-0123456789abcdef')).statusCode, 401);
    } finally {
      await app.close();
    }
  });
}
