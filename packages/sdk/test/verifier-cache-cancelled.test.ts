// fetchVerifierCache cancelled by the caller's signal rejects with its reason, also while it fetches the trust
// registry document. Before, that fetch's failures were all taken for "the server has no registry": a cancelled call
// resolved with a cache lacking the registry, as if the server had none.
// Against a loopback server that answers the documents and cancels the call when the registry is asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchVerifierCache, VouchClient } from '../src/index.ts';
import { serveAnswers } from './answering-server.ts';

test('fetchVerifierCache cancelled while it fetches the trust registry rejects with the reason, not a cache', async (t) => {
  const controller = new AbortController();
  const reason = new Error('cancelled by the caller');
  const s = await serveAnswers(t, (req, res) => {
    const path = req.url!.split('?')[0]!;
    const json = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (path === '/.well-known/agent-registry.json') json({ issuer: s.url, keys: [] });
    else if (path === '/.well-known/vouch-keys.json') json({ keys: [] });
    else if (path === '/api/registry/revocations') json({ revoked: [], has_more: false, cursor: 'c1' });
    else if (path === '/.well-known/agent-trust.json') {
      controller.abort(reason); // the caller gives up while the registry document is on its way
      json({ version: 1 });
    } else res.writeHead(404).end();
  });
  const client = new VouchClient({ baseUrl: s.url, retry: { retries: 0 } });
  await assert.rejects(fetchVerifierCache(client, { signal: controller.signal }), (err) => {
    assert.equal(err, reason);
    return true;
  });
  assert.ok(s.seen.some((url) => url.split('?')[0] === '/.well-known/agent-trust.json'));
});
