// A path parameter that is not well-formed UTF-16 (a lone surrogate, e.g. half of an emoji cut by `slice`) is refused
// with INVALID_ARGUMENT before anything is sent. Before, encodeURIComponent threw a bare URIError ("URI malformed"),
// which is no VouchError: callers switching on `err.code` saw undefined.
// Against a loopback server that records every request it gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVouchError, VouchClient } from '../src/index.ts';
import { respond, serveAnswers } from './answering-server.ts';

test('a path parameter with a lone surrogate is INVALID_ARGUMENT and sends nothing; a whole emoji goes out encoded', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"slug":"x"}'));
  const client = new VouchClient({ baseUrl: s.url, retry: { retries: 0 } });
  const emoji = '\u{1F600}';
  for (const slug of [emoji.slice(0, 1), `bot${emoji.slice(1)}`]) {
    await assert.rejects(client.identity.get(slug), (err: unknown) => {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), `get(${JSON.stringify(slug)}): ${String(err)}`);
      assert.match((err as Error).message, /"slug"/);
      return true;
    });
  }
  assert.deepEqual(s.requests, [], 'no request left the client');
  await client.identity.get(`bot${emoji}`);
  assert.deepEqual(s.requests, ['GET /v1/identity/bot%F0%9F%98%80']);
});
