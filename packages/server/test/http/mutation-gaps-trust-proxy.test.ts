// Mutation gap in the trust-proxy hop count (app.ts, VOUCH_TRUST_PROXY=<n>): only the nearest n hops are trusted, so
// the client address is the n-th entry from the right of X-Forwarded-For. Trusting one hop more would take the entry
// the client itself wrote, and a client could then pick a fresh rate-limit bucket for every request.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

import type { FastifyInstance } from 'fastify';

/** A request from the proxy at 10.0.0.2 carrying the X-Forwarded-For `xff`. */
function viaProxy(app: FastifyInstance, xff: string) {
  return app.inject({
    method: 'GET',
    url: '/docs/json',
    remoteAddress: '10.0.0.2',
    headers: { 'x-forwarded-for': xff },
  });
}

eachEngine(
  'VOUCH_TRUST_PROXY=1: the address the proxy appended is the client, not what the client wrote',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: { VOUCH_RATE_LIMIT_MAX: '1', VOUCH_TRUST_PROXY: '1' } });
    try {
      // The proxy (the socket peer, 10.0.0.2) appended 203.0.113.9, the address it saw; the left entries are the
      // client's own header, forged differently on every request.
      assert.equal((await viaProxy(app, '198.51.100.1, 203.0.113.9')).statusCode, 200);
      const second = await viaProxy(app, '198.51.100.2, 203.0.113.9');
      assert.equal(second.statusCode, 429, 'a forged left-hand entry is not a new client');
      assert.equal(second.json().code, 'RATE_LIMITED');
      const other = await viaProxy(app, '198.51.100.1, 203.0.113.10');
      assert.equal(other.statusCode, 200, 'another address appended by the proxy is another client');
    } finally {
      await app.close();
      await storage.close();
    }
  },
);

eachEngine('VOUCH_TRUST_PROXY=2 trusts two hops, and no third', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: { VOUCH_RATE_LIMIT_MAX: '1', VOUCH_TRUST_PROXY: '2' } });
  try {
    assert.equal((await viaProxy(app, '198.51.100.1, 203.0.113.9, 10.0.0.1')).statusCode, 200);
    assert.equal((await viaProxy(app, '198.51.100.2, 203.0.113.9, 10.0.0.1')).statusCode, 429);
  } finally {
    await app.close();
    await storage.close();
  }
});
