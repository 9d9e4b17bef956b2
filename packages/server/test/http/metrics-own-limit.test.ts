// /metrics took the server's default limit (VOUCH_RATE_LIMIT_MAX): an operator who set it below the Prometheus scrape
// rate got 429 scrapes (gaps in every graph, and alerts on a healthy instance), the same trap the health probes had.
// It now has the probes' own per-process limit, admin key or not (VOUCH_METRICS_PUBLIC=1), and is still limited.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { HEALTH_PROBE_RATE_LIMIT } from '../../src/modules/health/routes.ts';

for (const pub of [false, true]) {
  eachEngine(
    `metrics scrapes (${pub ? 'public' : 'with the admin key'}) are not counted against the default rate limit`,
    async ({ open }) => {
      const { app, clock, adminKey } = await makeApp(await open(), {
        env: { VOUCH_RATE_LIMIT_MAX: '2', VOUCH_RATE_LIMIT_WINDOW_MS: '60000', VOUCH_METRICS_PUBLIC: pub ? '1' : '0' },
      });
      const scrape = () =>
        app.inject({ method: 'GET', url: '/metrics', headers: pub ? {} : { 'x-api-key': adminKey } });
      try {
        for (let i = 0; i < 10; i++) {
          const res = await scrape();
          assert.equal(res.statusCode, 200, `scrape #${i + 1}: ${res.body}`);
          assert.equal(res.headers['x-ratelimit-limit'], String(HEALTH_PROBE_RATE_LIMIT.max));
        }
        // A flood is still refused, and admitted again with the next window.
        clock.advance(HEALTH_PROBE_RATE_LIMIT.windowMs);
        for (let i = 0; i < HEALTH_PROBE_RATE_LIMIT.max; i++) {
          const res = await scrape();
          if (res.statusCode !== 200) assert.fail(`scrape #${i + 1}: ${res.statusCode} ${res.body}`);
        }
        const flood = await scrape();
        assert.equal(flood.statusCode, 429);
        assert.equal((flood.json() as { code: string }).code, 'RATE_LIMITED');
        clock.advance(HEALTH_PROBE_RATE_LIMIT.windowMs);
        assert.equal((await scrape()).statusCode, 200);
        // Without the admin key (when it is needed) a scrape is still refused.
        if (!pub) assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
      } finally {
        await app.close();
      }
    },
  );
}
