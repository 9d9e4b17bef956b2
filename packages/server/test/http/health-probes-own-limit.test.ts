// /healthz and /readyz have a limit of their own, not the server's default one: an operator who set
// VOUCH_RATE_LIMIT_MAX below the load balancer's probe rate got 429 probes, and the load balancer took a healthy
// instance out of service. Probes are still limited (per process, per client address): a flood is refused.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { HEALTH_PROBE_RATE_LIMIT } from '../../src/modules/health/routes.ts';

eachEngine('health probes are not counted against the default rate limit', async ({ open }) => {
  const { app, clock } = await makeApp(await open(), {
    env: { VOUCH_RATE_LIMIT_MAX: '2', VOUCH_RATE_LIMIT_WINDOW_MS: '60000' },
  });
  try {
    for (const url of ['/healthz', '/readyz']) {
      for (let i = 0; i < 10; i++) {
        const res = await app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 200, `${url} probe #${i + 1}: ${res.body}`);
        assert.equal(res.headers['x-ratelimit-limit'], String(HEALTH_PROBE_RATE_LIMIT.max));
      }
    }
    // Other routes keep the default limit.
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode);
    assert.deepEqual(codes, [200, 200, 429]);

    // A flood of probes from one address is still refused, and admitted again with the next window.
    clock.advance(HEALTH_PROBE_RATE_LIMIT.windowMs);
    for (let i = 0; i < HEALTH_PROBE_RATE_LIMIT.max; i++) {
      const res = await app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(res.statusCode, 200, `probe #${i + 1}`);
    }
    const flood = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(flood.statusCode, 429);
    assert.equal((flood.json() as { code: string }).code, 'RATE_LIMITED');
    clock.advance(HEALTH_PROBE_RATE_LIMIT.windowMs);
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  } finally {
    await app.close();
  }
});
