// fetchVerifierCache reads the AIP revocation list to its end or not at all: a server whose cursor does not advance,
// or whose list never ends, makes it fail (AIP_RESPONSE_INVALID, AIP_FETCH_FAILED) after a bounded number of pages
// instead of looping and growing without bound. Against a real loopback server (which, to let the old unbounded
// loop end, says has_more: false after 50 pages).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchVerifierCache, isVouchError, VouchClient } from '../src/index.ts';

const HARD_STOP = 50;
const state = { mode: 'stuck' as 'stuck' | 'endless' | 'three-pages', pages: [] as Array<string | null> };
let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (v: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
    if (url.pathname === '/.well-known/agent-registry.json') return json({ issuer: base, keys: [] });
    if (url.pathname === '/.well-known/vouch-keys.json') return json({ keys: [] });
    if (url.pathname !== '/api/registry/revocations') return res.writeHead(404).end();
    const since = url.searchParams.get('since');
    state.pages.push(since);
    const n = state.pages.length;
    const cursor = state.mode === 'stuck' ? '7' : String(n);
    const hasMore = state.mode === 'three-pages' ? n < 3 : n < HARD_STOP;
    const entry = { jti: `j-${n}`, revoked_at: '2026-01-01T00:00:00.000Z', exp: 0, reason: null };
    return json({ revoked: [entry], count: 1, cursor, has_more: hasMore });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function client(): VouchClient {
  return new VouchClient({ baseUrl: base, retry: { retries: 0 }, now: () => Date.UTC(2026, 0, 1) });
}

test('fetchVerifierCache stops at a revocation page whose cursor does not advance', async () => {
  Object.assign(state, { mode: 'stuck', pages: [] });
  await assert.rejects(fetchVerifierCache(client()), (err: unknown) => {
    assert.ok(isVouchError(err, 'AIP_RESPONSE_INVALID'), String(err));
    assert.match(err.message, /cursor did not advance/);
    return true;
  });
  assert.deepEqual(state.pages, [null, '7'], 'the repeated cursor is not asked again');
});

test('fetchVerifierCache reads at most maxRevocationPages pages and gives no partial cache', async () => {
  Object.assign(state, { mode: 'endless', pages: [] });
  await assert.rejects(fetchVerifierCache(client(), { maxRevocationPages: 5 }), (err: unknown) => {
    assert.ok(isVouchError(err, 'AIP_FETCH_FAILED'), String(err));
    assert.match(err.message, /longer than 5 pages/);
    return true;
  });
  assert.equal(state.pages.length, 5);
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    await assert.rejects(fetchVerifierCache(client(), { maxRevocationPages: bad }), { code: 'INVALID_ARGUMENT' });
  }

  // A list that ends within the cap is read whole, page by page from the cursor.
  Object.assign(state, { mode: 'three-pages', pages: [] });
  const cache = await fetchVerifierCache(client(), { maxRevocationPages: 3 });
  assert.deepEqual(cache.revocations, { jtis: ['j-1', 'j-2', 'j-3'], cursor: '3' });
  assert.deepEqual(state.pages, [null, '1', '2']);
});
