// The client's retries, timeouts and error mapping against a tiny loopback HTTP server that fails on purpose.
// Waits between retries go through an injected `sleep` that records the delay and returns at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isVouchError, VouchApiError, VouchClient } from '../src/index.ts';
import type { VouchClientOptions } from '../src/index.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

/** A server whose n-th request (from 1) is answered by `handler`; it records each request's method and URL. */
async function failing(handler: Handler) {
  const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }> = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      handler(req, res, seen.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

function clientFor(url: string, extra: Partial<VouchClientOptions> = {}) {
  const sleeps: number[] = [];
  const client = new VouchClient({
    baseUrl: url,
    retry: { retries: 3, baseDelayMs: 100, maxDelayMs: 1000 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...extra,
  });
  return { client, sleeps };
}

async function rejects(p: Promise<unknown>): Promise<VouchApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof VouchApiError, `a VouchApiError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

test('GET is retried on 502/503/504 with exponential backoff and jitter, then succeeds', async () => {
  const s = await failing((_req, res, n) => {
    if (n <= 3) return json(res, [502, 503, 504][n - 1]!, { error: 'down', code: 'UPSTREAM' });
    json(res, 200, { status: 'ok' });
  });
  try {
    const { client, sleeps } = clientFor(s.url);
    assert.deepEqual(await client.server.health(), { status: 'ok' });
    assert.equal(s.seen.length, 4);
    // random 0.5 × min(1000, 100·2ⁿ)
    assert.deepEqual(sleeps, [50, 100, 200]);
  } finally {
    await s.close();
  }
});

test('429 with Retry-After is waited for exactly; a Retry-After beyond the cap is not', async () => {
  const s = await failing((req, res, n) => {
    if (req.url === '/healthz' && n === 1)
      return json(res, 429, { error: 'slow down', code: 'RATE_LIMITED' }, { 'retry-after': '2' });
    if (req.url === '/healthz') return json(res, 200, { status: 'ok' });
    json(res, 429, { error: 'slow down', code: 'RATE_LIMITED' }, { 'retry-after': '3600' });
  });
  try {
    const { client, sleeps } = clientFor(s.url);
    assert.deepEqual(await client.server.health(), { status: 'ok' });
    assert.deepEqual(sleeps, [2000]);
    const err = await rejects(client.server.ready());
    assert.equal(err.code, 'RATE_LIMITED');
    assert.equal(err.status, 429);
    assert.equal(err.retryAfterMs, 3_600_000);
    assert.equal(s.seen.filter((r) => r.url === '/readyz').length, 1, 'not retried: the wait is too long');
  } finally {
    await s.close();
  }
});

test('a Retry-After of ten or more digits is a wait beyond the cap: the error, not a retry after the backoff', async () => {
  const values = ['9999999999', '00000000000000000000031', '9'.repeat(400)];
  const s = await failing((_req, res, n) =>
    json(res, 503, { error: 'busy', code: 'BUSY' }, { 'retry-after': values[n - 1] ?? '1' }),
  );
  try {
    const { client, sleeps } = clientFor(s.url);
    for (const value of values) {
      const err = await rejects(client.server.health());
      assert.equal(err.code, 'BUSY', value);
      assert.ok(err.retryAfterMs !== undefined && err.retryAfterMs > 30_000, value);
    }
    assert.equal(s.seen.length, values.length, 'none retried');
    assert.deepEqual(sleeps, []);
  } finally {
    await s.close();
  }
});

test('a Retry-After that is neither seconds nor an HTTP date is ignored: the backoff applies, not a zero wait', async () => {
  const values = ['-1', '1.5', '2026-12-03', 'Thu, 31 Feb 2026 00:00:10 GMT'];
  const s = await failing((_req, res, n) => {
    if (n <= values.length) return json(res, 503, { error: 'busy', code: 'BUSY' }, { 'retry-after': values[n - 1]! });
    json(res, 200, { status: 'ok' });
  });
  try {
    const { client, sleeps } = clientFor(s.url, { retry: { retries: 4, baseDelayMs: 100, maxDelayMs: 1000 } });
    assert.deepEqual(await client.server.health(), { status: 'ok' });
    assert.deepEqual(sleeps, [50, 100, 200, 400]);
  } finally {
    await s.close();
  }
});

test('a non-idempotent POST is never retried; an idempotent one (intercept) is', async () => {
  const s = await failing((_req, res) => json(res, 503, { error: 'busy', code: 'NOT_READY' }));
  try {
    const { client, sleeps } = clientFor(s.url);
    const err = await rejects(client.owners.create({ name: 'A', handle: 'a' }));
    assert.equal(err.code, 'NOT_READY');
    assert.equal(s.seen.length, 1);
    assert.deepEqual(sleeps, []);

    await rejects(client.capabilities.intercept({ token: 't', agentId: 'a', resource: 'r', action: 'x' }));
    assert.equal(s.seen.length, 1 + 4);
    // the same for a 429 on a non-idempotent call: refused before processing, but the caller decides
    const s2 = await failing((_req, res) =>
      json(res, 429, { error: 'x', code: 'RATE_LIMITED' }, { 'retry-after': '1' }),
    );
    try {
      const c2 = clientFor(s2.url);
      await rejects(c2.client.agents.register({ publicKey: 'k', powNonce: '1' }));
      assert.equal(s2.seen.length, 1);
    } finally {
      await s2.close();
    }
  } finally {
    await s.close();
  }
});

test('server codes pass through verbatim; bodies without a code are HTTP_ERROR; 4xx are not retried', async () => {
  const s = await failing((req, res) => {
    if (req.url === '/healthz') return json(res, 403, { error: 'This agent has been revoked.', code: 'AGENT_REVOKED' });
    if (req.url === '/readyz') return json(res, 400, { error: 'bad', code: 'VALIDATION_FAILED', field: 'body.slug' });
    if (req.url?.startsWith('/v1/identity/')) return json(res, 409, { error: 'new', code: 'SOMETHING_NEW_2027' });
    res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>oops</h1>');
  });
  try {
    const { client, sleeps } = clientFor(s.url);
    const revoked = await rejects(client.server.health());
    assert.equal(revoked.code, 'AGENT_REVOKED');
    assert.ok(isVouchError(revoked, 'AGENT_REVOKED'));
    assert.equal(revoked.status, 403);
    assert.equal(revoked.message, 'This agent has been revoked.');
    const invalid = await rejects(client.server.ready());
    assert.equal(invalid.code, 'VALIDATION_FAILED');
    assert.equal(invalid.field, 'body.slug');
    assert.equal((await rejects(client.identity.get('some-bot'))).code, 'SOMETHING_NEW_2027');
    const html = await rejects(client.server.metrics({ as: 'none' }));
    assert.equal(html.code, 'HTTP_ERROR');
    assert.equal(html.status, 500);
    assert.equal(s.seen.length, 4, 'none retried');
    assert.deepEqual(sleeps, []);
  } finally {
    await s.close();
  }
});

test('each attempt has a timeout: REQUEST_TIMEOUT, retried for idempotent calls, not for others', async () => {
  const s = await failing(() => {
    /* never answers */
  });
  try {
    // Attempts are counted as the client sends them: an attempt cut by its timeout before the server has read it
    // (a slow machine, or the first fetch of a process loading its HTTP stack) still counts, as it should.
    let attempts = 0;
    const counted: NonNullable<VouchClientOptions['fetch']> = (url, init) => {
      attempts++;
      return fetch(url, init);
    };
    const { client, sleeps } = clientFor(s.url, { timeoutMs: 50, fetch: counted });
    const err = await rejects(client.server.health());
    assert.equal(err.code, 'REQUEST_TIMEOUT');
    assert.equal(err.status, 0);
    assert.equal(attempts, 4);
    assert.equal(sleeps.length, 3);
    const post = await rejects(client.owners.create({ name: 'A', handle: 'a' }, { timeoutMs: 30 }));
    assert.equal(post.code, 'REQUEST_TIMEOUT');
    assert.equal(attempts, 5);
  } finally {
    await s.close();
  }
});

test('no server at all: NETWORK_ERROR after the retries', async () => {
  const s = await failing(() => {});
  const url = s.url;
  await s.close(); // the port is now closed
  const { client, sleeps } = clientFor(url);
  const err = await rejects(client.server.health());
  assert.equal(err.code, 'NETWORK_ERROR');
  assert.equal(sleeps.length, 3);
  assert.ok(!err.message.includes('127.0.0.1'), 'only the path in the message');
});

test("the caller's signal cancels the call, retries included", async () => {
  const s = await failing((_req, res) => json(res, 503, { error: 'busy', code: 'NOT_READY' }));
  try {
    const controller = new AbortController();
    const { client } = clientFor(s.url, {
      sleep: async () => controller.abort(new Error('stop')),
    });
    await assert.rejects(client.server.health({ signal: controller.signal }), /stop/);
    assert.equal(s.seen.length, 1);
  } finally {
    await s.close();
  }
});

test('credentials: the admin key as x-api-key, bearer keys, and none when asked', async () => {
  const s = await failing((_req, res) => json(res, 200, { ok: true }));
  try {
    const { client } = clientFor(s.url, {
      credentials: { adminKey: 'admin-secret', ownerKey: 'vouch_owner_x', integratorKey: 'vouch_int_y' },
    });
    await client.server.audit();
    await client.owners.me();
    await client.signatures.verify('a'.repeat(64));
    await client.signatures.verify('a'.repeat(64), { as: 'none' });
    await client.tokens.revoke({ jti: 'j' }, { as: 'owner' });
    assert.equal(s.seen[0]!.headers['x-api-key'], 'admin-secret');
    assert.equal(s.seen[1]!.headers.authorization, 'Bearer vouch_owner_x');
    assert.equal(s.seen[2]!.headers.authorization, 'Bearer vouch_int_y');
    assert.equal(s.seen[2]!.url, `/api/v1/signatures/verify?hash=${'a'.repeat(64)}`);
    assert.equal(s.seen[3]!.headers.authorization, undefined);
    assert.equal(s.seen[4]!.headers.authorization, 'Bearer vouch_owner_x');
    assert.equal(s.seen[4]!.headers['x-api-key'], undefined);
    await assert.rejects(client.agents.revoke('did:identity:x', undefined, { as: 'agent' }), /No agent credential/);
  } finally {
    await s.close();
  }
});
