// docs/PROTOCOL.md: "/healthz, /readyz and /metrics are limited to 100 requests per 5 seconds per client address".
// The tests of that limit read HEALTH_PROBE_RATE_LIMIT from the module they test, so any value passed them: a window
// of 50 s (a probe flood refused for ten times as long, and a load balancer's probes with it) went unnoticed. Here
// the numbers are the documented ones, written out: the 101st request in 5 s is refused with Retry-After 5, and
// the next window, 5 s on, admits again.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

eachEngine('health probes and metrics: 100 requests per 5 seconds, as documented', async ({ open }) => {
  const t = await makeApp(await open(), { env: { VOUCH_METRICS_PUBLIC: '1' } });
  try {
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      for (let i = 0; i < 100; i++) {
        const res = await t.app.inject({ method: 'GET', url });
        if (res.statusCode !== 200) assert.fail(`${url} #${i + 1}: ${res.statusCode} ${res.body}`);
      }
      const refused = await t.app.inject({ method: 'GET', url });
      assert.equal(refused.statusCode, 429, url);
      assert.deepEqual(
        [refused.headers['x-ratelimit-limit'], refused.headers['retry-after']],
        ['100', '5'],
        `${url}: 100 per 5 s`,
      );
      t.clock.advance(4_999);
      assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 429, `${url}: still the same window`);
      t.clock.advance(1);
      assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 200, `${url}: the next window`);
      t.clock.advance(5_000);
    }
  } finally {
    await t.app.close();
  }
});
