// HttpTransport.call takes a query member as a list (HttpRequest.query: readonly string[]) and sends it as the
// parameter repeated, once per item, in order; no client method passes one, so nothing held it (found by mutation
// testing: joining the list with commas failed no test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { VouchClient } from '../src/index.ts';

test('a query list is sent as the parameter repeated, in order; numbers and booleans as text', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{}'));
  const client = new VouchClient({ baseUrl: s.url });
  const route = { method: 'GET', path: '/v1/registry', auth: [] } as const;
  await client.http.call(route, { query: { tag: ['b', 'a,c'], limit: 5, all: true, empty: [] } });
  assert.deepEqual(s.seen, ['/v1/registry?tag=b&tag=a%2Cc&limit=5&all=true']);
});
