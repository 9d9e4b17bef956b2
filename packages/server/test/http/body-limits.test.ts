// Body limits per route: a small default for every route, larger limits only where valid bodies need them, all
// capped by VOUCH_BODY_LIMIT. A body past its route's limit is 413 BODY_TOO_LARGE before anything parses it.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DEFAULT_BODY_LIMIT, LARGE_BODY_ROUTES } from '../../src/http/body-limits.ts';

const KIB = 1024;
const MIB = 1024 * KIB;
const ENV = { VOUCH_LOG_LEVEL: 'silent', VOUCH_POW_DIFFICULTY: '0', VOUCH_SLUG_REGISTER_RATE_MAX: '1000' };
const HEX64 = 'a'.repeat(64);

/** A JSON object text of exactly `bytes` bytes (no route's schema accepts its `pad` member). */
function sized(bytes: number): string {
  const text = `{"pad":"${'x'.repeat(bytes - 10)}"}`;
  assert.equal(Buffer.byteLength(text), bytes);
  return text;
}

function send(
  t: TestApp,
  method: 'POST' | 'PUT',
  url: string,
  payload: string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({ method, url, payload, headers: { 'content-type': 'application/json', ...headers } });
}

function assertTooLarge(res: LightMyRequestResponse, what: string): void {
  assert.equal(res.statusCode, 413, `${what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  assert.equal((res.json() as { code: string }).code, 'BODY_TOO_LARGE', what);
}

/** The body got past the limit: the route answered it (a refusal of its content, or success), never 413 or 5xx. */
function assertRead(res: LightMyRequestResponse, what: string, status?: number): void {
  assert.notEqual(res.statusCode, 413, `${what}: ${res.body.slice(0, 200)}`);
  assert.ok(res.statusCode < 500, `${what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  if (status !== undefined) assert.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 300)}`);
}

/** Routes anyone may call whose valid bodies are a few KiB at most. */
const SMALL_PUBLIC_ROUTES = [
  '/api/v1/integrators/consent',
  '/api/v1/agents/register',
  '/v1/identity/register',
  '/v1/identity/some-agent/verify-voice',
  '/api/v1/agents/report',
  '/api/v1/signatures/sign',
  '/api/v1/signatures/certify',
  '/api/registry/issue',
  '/api/registry/verify',
  '/v1/tokens',
  '/v1/intercept',
  '/v1/tokens/revoke',
  '/v1/tokens/delegate',
  `/v1/registry/proposals/${HEX64}/signatures`,
];

eachEngine(
  'routes anyone may call with small bodies take 64 KiB, and 413 one byte more, writing nothing',
  async ({ open }) => {
    const storage = await open();
    const t = await makeApp(storage, { env: ENV });
    try {
      const before = await tableCounts(storage);
      // The documented 64 KiB (docs/PROTOCOL.md), written out: the constant alone would follow any change to itself.
      assert.equal(DEFAULT_BODY_LIMIT, 64 * KIB);
      for (const url of SMALL_PUBLIC_ROUTES) {
        assertTooLarge(await send(t, 'POST', url, sized(64 * KIB + 1)), url);
        assertRead(await send(t, 'POST', url, sized(64 * KIB)), url);
      }
      // Content-Length alone decides: the body is not read to find out.
      const declared = await t.app.inject({
        method: 'POST',
        url: '/api/v1/integrators/consent',
        payload: '{}',
        headers: { 'content-type': 'application/json', 'content-length': String(DEFAULT_BODY_LIMIT + 1) },
      });
      assertTooLarge(declared, 'declared length');
      assert.deepEqual(await tableCounts(storage), before);
    } finally {
      await t.app.close();
    }
  },
);

eachEngine(
  'routes with larger valid bodies take the largest, and 413 one byte past their own limit',
  async ({ open }) => {
    const storage = await open();
    const t = await makeApp(storage, { env: ENV });
    const admin = { 'x-api-key': t.adminKey };
    try {
      for (const key of LARGE_BODY_ROUTES.keys()) {
        const [method, url] = key.split(' ') as ['POST' | 'PUT', string];
        assert.ok(t.app.hasRoute({ method, url }), `${key} is not a route`);
      }

      // A token longer than any valid one (8,192 characters) still gets verify's own answer.
      const long = await send(t, 'POST', '/api/registry/verify', JSON.stringify({ token: 'a'.repeat(60_000) }));
      assertRead(long, 'verify', 401);
      assert.equal((long.json() as { code: string }).code, 'JWT_TOO_LARGE');
      assertTooLarge(await send(t, 'POST', '/api/registry/revoke', sized(DEFAULT_BODY_LIMIT + 1), admin), 'revoke');

      // 500 tool names of 128 characters, indented (no such agent: the body was read, then the agent looked up).
      const names = Array.from({ length: 500 }, (_, i) => `${i}`.padEnd(128, 't'));
      const tools = JSON.stringify({ tools_used: names }, null, 2);
      assert.ok(tools.length > DEFAULT_BODY_LIMIT);
      assertRead(await send(t, 'POST', '/v1/identity/nobody/verify-tools', tools), 'verify-tools', 404);
      assertTooLarge(await send(t, 'POST', '/v1/identity/nobody/verify-tools', sized(128 * KIB + 1)), 'verify-tools');

      // 50 requests at every field's longest; each token is refused on its own, in a 200.
      const request = {
        token: 'a'.repeat(8192),
        agentId: 'did:example:'.padEnd(256, 'z'),
        resource: `${`${'r'.repeat(64)}:`.repeat(7)}${'r'.repeat(57)}`,
        action: 'x'.repeat(64),
      };
      assert.equal(request.resource.length, 512);
      const batch = JSON.stringify({ requests: Array.from({ length: 50 }, () => request) });
      assert.ok(batch.length > 440 * KIB);
      assertRead(await send(t, 'POST', '/v1/intercept/batch', batch), 'intercept batch', 200);
      assertTooLarge(await send(t, 'POST', '/v1/intercept/batch', sized(640 * KIB + 1)), 'intercept batch');

      // 200 metrics at their longest, indented by four spaces.
      const metrics = Array.from({ length: 200 }, (_, i) => ({
        metricKey: `m${i}`.padEnd(100, 'k'),
        polarity: 'neutral',
        weight: 99.99999999999999,
        lane: 'presence',
        maxPerDay: 1_000_000,
      }));
      const integrator = { slug: 'big-shop', name: 'N'.repeat(200), domain: 'shop.example', metrics };
      const created = await send(t, 'POST', '/api/v1/admin/integrators', JSON.stringify(integrator, null, 4), admin);
      assertRead(created, 'integrator', 201);
      assertTooLarge(await send(t, 'POST', '/api/v1/admin/integrators', sized(128 * KIB + 1), admin), 'integrator');
      const put = JSON.stringify({ metrics }, null, 4);
      assertRead(await send(t, 'PUT', '/api/v1/admin/integrators/big-shop/metrics', put, admin), 'metrics', 200);
      assertTooLarge(
        await send(t, 'PUT', '/api/v1/admin/integrators/big-shop/metrics', sized(128 * KIB + 1), admin),
        'metrics',
      );

      // Ingestion keeps VOUCH_INGEST_BODY_LIMIT: 1,001 events are read, then refused for their number.
      const apiKey = (created.json() as { apiKey: string }).apiKey;
      const event = { envId: 'big-shop.production.v1', externalEventId: 'e', eventType: 'x', subjectType: 'agent' };
      const events = JSON.stringify(Array.from({ length: 1001 }, () => event));
      assert.ok(events.length > DEFAULT_BODY_LIMIT);
      const many = await send(t, 'POST', '/api/v1/ingest', events, { authorization: `Bearer ${apiKey}` });
      assertRead(many, 'ingest', 400);
      assert.match((many.json() as { error: string }).error, /at most 1000 events/);

      // A proposal file's size, and a tool manifest's body, up to 1 MiB (and VOUCH_BODY_LIMIT, 1 MiB by default).
      assertRead(await send(t, 'POST', '/v1/registry/proposals', sized(MIB)), 'proposal');
      assertTooLarge(await send(t, 'POST', '/v1/registry/proposals', sized(MIB + 1)), 'proposal');
      // A route that takes a large body still measures its nesting first (100,000 arrays deep: no stack overflow).
      const deep = await send(t, 'POST', '/v1/registry/proposals', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
      assertRead(deep, 'deep proposal', 400);
      assert.equal((deep.json() as { code: string }).code, 'JSON_TOO_DEEP');
      assertRead(await send(t, 'POST', '/v1/identity/nobody/tools', sized(MIB), admin), 'tools');
      assertTooLarge(await send(t, 'POST', '/v1/identity/nobody/tools', sized(MIB + 1), admin), 'tools');
      // The registry genesis keeps its own limit, a whole document's.
      assertRead(await send(t, 'POST', '/v1/registry/genesis', sized(2 * MIB), admin), 'genesis');
    } finally {
      await t.app.close();
    }
  },
  { timeout: 60_000 },
);

eachEngine(
  'VOUCH_BODY_LIMIT caps every route: above it the larger limits stop at it, below it all do',
  async ({ open }) => {
    const storage = await open();
    const high = await makeApp(storage, { env: { ...ENV, VOUCH_BODY_LIMIT: String(2 * MIB) } });
    try {
      // A proposal and a tool manifest keep their own bounds under a higher ceiling (a manifest's is MAX_MANIFEST_BYTES
      // of RFC 8785 JSON, and its body's 1 MiB holds the largest one).
      assertTooLarge(await send(high, 'POST', '/v1/registry/proposals', sized(MIB + 1)), 'proposal');
      const admin = { 'x-api-key': high.adminKey };
      assertRead(await send(high, 'POST', '/v1/identity/nobody/tools', sized(MIB), admin), 'tools');
      assertTooLarge(await send(high, 'POST', '/v1/identity/nobody/tools', sized(MIB + 1), admin), 'tools');
      assertTooLarge(await send(high, 'POST', '/api/v1/integrators/consent', sized(DEFAULT_BODY_LIMIT + 1)), 'consent');
    } finally {
      await high.app.close();
    }
    const low = await makeApp(storage, { env: { ...ENV, VOUCH_BODY_LIMIT: '8192' } });
    try {
      assertRead(await send(low, 'POST', '/api/registry/verify', sized(8192)), 'verify', 400);
      assertTooLarge(await send(low, 'POST', '/api/registry/verify', sized(8193)), 'verify');
      const verifyTools = '/v1/identity/nobody/verify-tools';
      assertTooLarge(await send(low, 'POST', verifyTools, sized(8193)), 'verify-tools');
      assertTooLarge(await send(low, 'POST', '/v1/intercept/batch', sized(8193)), 'intercept batch');
    } finally {
      await low.app.close();
    }
  },
);
