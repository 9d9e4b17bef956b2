// Test strength: a call with a body says `content-type: application/json`, and one without a body sends none (the
// server reads a body labelled JSON as JSON, so an empty one is not a document, and refuses an unlabelled body with 415
// UNSUPPORTED_MEDIA_TYPE). Only the PostgreSQL-backed client test noticed dropping the header (HttpTransport.call),
// and nothing noticed sending it on every call; both are checked here against a loopback server that records what it
// received.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VouchClient } from '../src/index.ts';
import { respond, serveAnswers } from './answering-server.ts';

test('content-type: application/json goes with a body only; every call accepts JSON', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{}'));
  const client = new VouchClient({ baseUrl: s.url, credentials: { adminKey: 'a', ownerKey: 'o' } });
  await client.owners.create({ name: 'Acme', handle: 'acme' });
  await client.owners.createLinkingKey();
  await client.server.health();
  assert.deepEqual(
    s.received.map((r) => [r.method, r.url, r.headers['content-type'], r.headers.accept, r.body]),
    [
      ['POST', '/api/v1/owners', 'application/json', 'application/json', '{"name":"Acme","handle":"acme"}'],
      ['POST', '/api/v1/owners/linking-keys', undefined, 'application/json', ''],
      ['GET', '/healthz', undefined, 'application/json', ''],
    ],
  );
});
