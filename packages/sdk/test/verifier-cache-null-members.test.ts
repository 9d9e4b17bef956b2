// fetchVerifierCache with its options' members set to null (settings read from JSON): signatures: null threw a raw
// TypeError ("null is not iterable") after every document had been fetched, and maxRevocationPages: null was refused
// INVALID_ARGUMENT, where an absent member gives the defaults (no records, 1,000 pages). A null member is now an absent
// one, as for the SDK's other options (createAipVerifier, createAgentIdentity). Against a loopback server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchVerifierCache, VouchClient } from '../src/index.ts';
import type { FetchVerifierCacheOptions } from '../src/index.ts';
import { serveAnswers } from './answering-server.ts';

test('fetchVerifierCache takes null signatures and maxRevocationPages as absent', async (t) => {
  const server = await serveAnswers(t, (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (v: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
    if (path === '/.well-known/agent-registry.json') return json({ issuer: 'https://vouch.example', keys: [] });
    if (path === '/.well-known/vouch-keys.json') return json({ keys: [] });
    if (path === '/api/registry/revocations') return json({ revoked: [], count: 0, cursor: 'c1', has_more: false });
    return res.writeHead(404).end();
  });
  const client = new VouchClient({ baseUrl: server.url, retry: { retries: 0 }, now: () => Date.UTC(2026, 0, 1) });
  const nulls = { signatures: null, maxRevocationPages: null } as unknown as FetchVerifierCacheOptions;
  const cache = await fetchVerifierCache(client, nulls);
  assert.deepEqual(cache, await fetchVerifierCache(client));
  assert.deepEqual(cache.signatures, {});
  assert.deepEqual(cache.revocations, { jtis: [], cursor: 'c1' });
});
