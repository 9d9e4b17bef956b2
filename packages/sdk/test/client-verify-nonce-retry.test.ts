// POST /api/registry/verify is retried after a lost answer, except when the retry could only say NONCE_REPLAYED:
// the caller authenticates (as the audience may) and the token carries a single-use nonce, which the lost attempt
// may have consumed. Against a real listening server whose first answer the client's fetch drops.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { VouchApiError, VouchClient } from '../src/index.ts';
import type { HttpFetch } from '../src/index.ts';
import { ADMIN_KEY, startLiveServer } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

let live: LiveServer;
let did: string;

before(async () => {
  live = await startLiveServer();
  ({ did } = await live.registerAgent());
});
after(() => live.close());

/** A client whose first request reaches the server but whose answer is lost; `sent` counts the requests. */
function droppingFirstAnswer(): { client: VouchClient; sent: () => number } {
  let n = 0;
  const fetchImpl: HttpFetch = async (url, init) => {
    n++;
    const res = await globalThis.fetch(url, init);
    if (n === 1) {
      await res.text();
      throw new TypeError('fetch failed');
    }
    return res;
  };
  const client = new VouchClient({
    baseUrl: live.url,
    fetch: fetchImpl,
    credentials: { adminKey: ADMIN_KEY },
    retry: { retries: 2 },
    sleep: async () => {},
    now: () => live.clock.now(),
  });
  return { client, sent: () => n };
}

test('a verify that may consume a nonce is sent once: the lost answer is NETWORK_ERROR, not NONCE_REPLAYED', async () => {
  const { token } = await live.issue(did, { token_type: 'session', audience: 'shop', nonce: 'n-1' });
  const { client, sent } = droppingFirstAnswer();
  const err = await client.tokens.verify({ token, audience: 'shop' }, { as: 'admin' }).catch((e: unknown) => e);
  assert.ok(err instanceof VouchApiError, String(err));
  assert.equal(err.code, 'NETWORK_ERROR');
  assert.equal(err.status, 0);
  assert.equal(sent(), 1);
  // The lost attempt did consume it: a retry would have been refused for a reason that is not the token's.
  const again = await live.call('POST', '/api/registry/verify', { token, audience: 'shop' }, true);
  assert.equal(again.body.code, 'NONCE_REPLAYED');
});

test('a verify that consumes nothing is still retried after a lost answer', async () => {
  // Anonymous: the server never consumes the nonce.
  const session = await live.issue(did, { token_type: 'session', audience: 'shop', nonce: 'n-2' });
  const a = droppingFirstAnswer();
  const anon = await a.client.tokens.verify({ token: session.token, audience: 'shop' });
  assert.equal(anon.valid, true);
  assert.equal(a.sent(), 2);
  // Authenticated, but a token without a nonce: nothing to consume.
  const identity = await live.issue(did);
  const b = droppingFirstAnswer();
  const asAdmin = await b.client.tokens.verify({ token: identity.token }, { as: 'admin' });
  assert.equal(asAdmin.valid, true);
  assert.equal(b.sent(), 2);
  const noNonce = await live.issue(did, { token_type: 'session', audience: 'shop' });
  const c = droppingFirstAnswer();
  assert.equal((await c.client.tokens.verify({ token: noNonce.token }, { as: 'admin' })).valid, true);
  assert.equal(c.sent(), 2);
});
