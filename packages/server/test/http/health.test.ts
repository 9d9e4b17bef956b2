import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, TEST_ADMIN_KEY } from '../helpers/app.ts';

eachEngine('healthz, readyz and metrics', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage);
  try {
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
    assert.match(String(health.headers['x-request-id']), /^[0-9a-f-]{36}$/);

    assert.deepEqual((await app.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ready' });

    const noKey = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(noKey.statusCode, 401);
    const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': TEST_ADMIN_KEY } });
    assert.equal(metrics.statusCode, 200);
    assert.match(String(metrics.headers['content-type']), /^text\/plain/);
    assert.match(metrics.body, /vouch_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
    assert.match(metrics.body, /vouch_http_request_duration_seconds_bucket/);
    assert.match(metrics.body, /vouch_process_cpu_seconds_total/);

    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { openapi: string; paths: object };
    assert.equal(doc.openapi, '3.1.0');
    assert.ok('/healthz' in doc.paths && '/api/v1/admin/audit' in doc.paths);
    const page = await app.inject({ method: 'GET', url: '/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<code>\/api\/v1\/admin\/audit<\/code>/);
    // Same page rules as the console: a CSP, no inline style or script.
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.doesNotMatch(page.body, /<style|<script|style=/);
  } finally {
    await app.close();
    await storage.close();
  }
});

/** The lines of one metric family in a Prometheus text exposition, for exact comparison. */
function linesOf(body: string, prefix: string): string[] {
  return body.split('\n').filter((l) => l.startsWith(prefix));
}

eachEngine(
  'metrics count every response by route and status, with a cumulative duration histogram',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage);
    try {
      for (let i = 0; i < 3; i++) assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
      assert.equal((await app.inject({ method: 'HEAD', url: '/healthz' })).statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: '/no/such/route' })).statusCode, 404);
      assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401); // refused by the policy
      const res = await app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': TEST_ADMIN_KEY } });
      const body = res.body;
      assert.deepEqual(linesOf(body, 'vouch_http_requests_total{').sort(), [
        'vouch_http_requests_total{method="GET",route="/healthz",status="200"} 3',
        'vouch_http_requests_total{method="GET",route="/metrics",status="401"} 1',
        'vouch_http_requests_total{method="GET",route="unmatched",status="404"} 1',
        'vouch_http_requests_total{method="HEAD",route="/healthz",status="200"} 1',
      ]);
      assert.match(body, /# TYPE vouch_http_requests_total counter/);
      assert.match(body, /# TYPE vouch_http_request_duration_seconds histogram/);
      const buckets = linesOf(body, 'vouch_http_request_duration_seconds_bucket{le=').filter((l) =>
        l.includes('method="GET",route="/healthz"'),
      );
      assert.equal(buckets.length, 12); // 11 bounds and +Inf
      const counts = buckets.map((l) => Number(l.split(' ').at(-1)));
      for (let i = 1; i < counts.length; i++) assert.ok(counts[i]! >= counts[i - 1]!, 'buckets are cumulative');
      assert.match(buckets.at(-1)!, /le="\+Inf",method="GET",route="\/healthz"\} 3$/);
      assert.match(body, /vouch_http_request_duration_seconds_count\{method="GET",route="\/healthz"\} 3\n/);
      const sum = /vouch_http_request_duration_seconds_sum\{method="GET",route="\/healthz"\} (\S+)/.exec(body);
      assert.ok(sum && Number(sum[1]) >= 0 && Number(sum[1]) < 10);
    } finally {
      await app.close();
      await storage.close();
    }
  },
);

eachEngine('readyz answers 503 NOT_READY when the database does not answer', async ({ open }) => {
  const storage = await open();
  const other = await open();
  const { app } = await makeApp(other);
  try {
    await other.close();
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.equal((res.json() as { code: string }).code, 'NOT_READY');
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const audit = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/audit',
      headers: { 'x-api-key': TEST_ADMIN_KEY },
    });
    assert.equal(audit.statusCode, 503, 'a route that needs the database says it is unavailable');
    assert.equal((audit.json() as { code: string }).code, 'DATABASE_UNAVAILABLE');
    assert.equal(audit.headers['retry-after'], '5');
  } finally {
    await app.close();
    await storage.close();
  }
});

eachEngine('VOUCH_METRICS_PUBLIC=1 serves metrics without the admin key', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: { VOUCH_METRICS_PUBLIC: '1' } });
  try {
    assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
  } finally {
    await app.close();
    await storage.close();
  }
});

eachEngine('CORS answers only configured origins', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: { VOUCH_CORS_ORIGINS: 'https://console.example' } });
  try {
    const allowed = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { origin: 'https://console.example' },
    });
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://console.example');
    const denied = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example' } });
    assert.equal(denied.headers['access-control-allow-origin'], undefined);
    const pre = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/admin/audit',
      headers: { origin: 'https://console.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(pre.statusCode, 204);
    assert.match(String(pre.headers['access-control-allow-headers']), /x-api-key/);
    assert.equal(pre.headers['access-control-allow-credentials'], undefined);
  } finally {
    await app.close();
    await storage.close();
  }
});
