// A consent and a metrics change whose answer was lost are retried, and the retry is answered as a success: the
// server answers the same consent again (same signatureHash, already stored) with the same answer and writes
// nothing, whenever it comes (here after VOUCH_SIGNATURE_WINDOW), and the same metrics again with changed: false.
// Both were sent once, so a lost answer surfaced as NETWORK_ERROR although the change had been made.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { VouchAgent, VouchClient } from '../src/index.ts';
import type { HttpFetch } from '../src/client/http.ts';
import { ADMIN_KEY, startLiveServer } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

const WINDOW_SECONDS = 2;
let live: LiveServer;

before(async () => {
  live = await startLiveServer({ VOUCH_SIGNATURE_WINDOW: String(WINDOW_SECONDS) });
});
after(() => live.close());

/** A client whose first answer to `path` is lost after the server handled it; `sent` counts what reached it. */
function losingFirstAnswer(path: string) {
  let sent = 0;
  const fetchImpl: HttpFetch = async (url, init) => {
    const res = await fetch(url, init);
    if (!new URL(String(url)).pathname.endsWith(path)) return res;
    sent++;
    if (sent > 1) return res;
    await res.text();
    throw new TypeError('fetch failed');
  };
  const client = new VouchClient({
    baseUrl: live.url,
    fetch: fetchImpl,
    now: () => live.clock.now(),
    // The backoff outlasts the signature window: the retry is no longer fresh, only the same request again.
    sleep: async () => live.clock.advance((WINDOW_SECONDS + 1) * 1000),
    retry: { retries: 1 },
  });
  return { client, sent: () => sent };
}

test('a consent whose answer was lost is retried and answered as stored, after the signature window', async () => {
  await live.call(
    'POST',
    '/api/v1/admin/integrators',
    { slug: 'retry-shop', name: 'Retry', domain: 'shop.example', metrics: [] },
    true,
  );
  const { did, key } = await live.registerAgent();
  const { client, sent } = losingFirstAnswer('/api/v1/integrators/consent');
  const agent = new VouchAgent(client, { did, privateKey: key.privateKey });
  const signedAt = live.clock.now();
  const granted = await agent.grantConsent('retry-shop');
  assert.deepEqual(granted, { did, integratorSlug: 'retry-shop', status: 'allowed', signedAt });
  assert.equal(sent(), 2);
});

test('a metrics change whose answer was lost is retried and answered changed: false, published once', async () => {
  const metric = { metricKey: 'sale', polarity: 'boost', weight: 1, lane: 'conduct' } as const;
  await live.call(
    'POST',
    '/api/v1/admin/integrators',
    { slug: 'metrics-shop', name: 'Metrics', domain: 'shop.example', metrics: [] },
    true,
  );
  const { client, sent } = losingFirstAnswer('/api/v1/admin/integrators/metrics-shop/metrics');
  const admin = client.withCredentials({ adminKey: ADMIN_KEY });
  const answer = await admin.integrators.setMetrics('metrics-shop', [metric]);
  assert.deepEqual(answer, { ...answer, slug: 'metrics-shop', environmentVersion: 2, changed: false });
  assert.equal(sent(), 2);
  const listed = await live.call('GET', '/api/v1/admin/integrators', undefined, true);
  const shop = (listed.body.integrators as Array<{ slug: string; environmentVersion: number }>).find(
    (i) => i.slug === 'metrics-shop',
  );
  assert.equal(shop?.environmentVersion, 2, 'one new version, not two');
});
