// /healthz and /readyz answer for the process that serves them, and a load balancer or a kubelet probes every
// instance from the same few addresses: on PostgreSQL, where rate limits are shared by every instance, their probes
// added up, so with enough instances a probe got 429 and the instance was taken out of service for the traffic of
// the others. Their limits are counted in each process: one instance's probes never spend another's allowance,
// and each process still limits a client that floods it.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { twoProcesses } from '../helpers/app.ts';
import { HEALTH_PROBE_RATE_LIMIT } from '../../src/modules/health/routes.ts';

const env = { VOUCH_RATE_LIMIT_MAX: '3' };

eachEngine("one process's health probes do not spend another's allowance", async ({ open }) => {
  const { a, b } = await twoProcesses(open, env);
  // The probes' own limit (health-probes-own-limit.test.ts), not VOUCH_RATE_LIMIT_MAX.
  const max = HEALTH_PROBE_RATE_LIMIT.max;
  try {
    for (const url of ['/healthz', '/readyz']) {
      for (let i = 0; i < max; i++) {
        const res = await a.app.inject({ method: 'GET', url });
        if (res.statusCode !== 200) assert.fail(`${url} #${i + 1} at a: ${res.statusCode} ${res.body}`);
      }
      for (let i = 0; i < max; i++) {
        const res = await b.app.inject({ method: 'GET', url });
        if (res.statusCode !== 200) assert.fail(`${url} #${i + 1} at b: ${res.statusCode} ${res.body}`);
      }
      for (const t of [a, b]) {
        const res = await t.app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 429, `${url}: each process still limits its own callers`);
        assert.equal((res.json() as { code: string }).code, 'RATE_LIMITED');
      }
    }
  } finally {
    await a.app.close();
    await b.app.close();
  }
});

eachEngine("one process's metrics scrapes do not spend another's allowance", async ({ open }) => {
  // Prometheus scrapes every instance from one address, as a load balancer probes them.
  const { a, b } = await twoProcesses(open, env);
  try {
    const scrape = (t: typeof a) =>
      t.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': t.adminKey } });
    // The probes' own limit (metrics-own-limit.test.ts), not VOUCH_RATE_LIMIT_MAX.
    const max = HEALTH_PROBE_RATE_LIMIT.max;
    for (let i = 0; i < max; i++) {
      const res = await scrape(a);
      if (res.statusCode !== 200) assert.fail(`scrape #${i + 1} at a: ${res.statusCode} ${res.body}`);
    }
    for (let i = 0; i < max; i++) {
      const res = await scrape(b);
      if (res.statusCode !== 200) assert.fail(`scrape #${i + 1} at b: ${res.statusCode} ${res.body}`);
    }
    for (const t of [a, b]) assert.equal((await scrape(t)).statusCode, 429, 'each process still limits scrapes');
  } finally {
    await a.app.close();
    await b.app.close();
  }
});

eachEngine('other routes stay limited across processes', async ({ open }) => {
  const { a, b } = await twoProcesses(open, env);
  try {
    const url = '/.well-known/vouch-keys.json';
    for (let i = 0; i < 3; i++) assert.equal((await a.app.inject({ method: 'GET', url })).statusCode, 200);
    const fourth = await b.app.inject({ method: 'GET', url });
    // SQLite runs one process per database (in-memory limits); PostgreSQL shares them.
    assert.equal(fourth.statusCode, a.ctx.storage.engine === 'postgres' ? 429 : 200, fourth.body);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
