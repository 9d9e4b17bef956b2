// Test strength: a redirect the client refuses (UNEXPECTED_REDIRECT) has its body cancelled unread, so its connection
// is released at once rather than held until the response is garbage-collected. Nothing checked it: dropping
// discardBody from HttpTransport.attempt failed no test. Against a loopback server, through a fetch that keeps the
// responses it hands over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVouchError, VouchClient } from '../src/index.ts';
import type { HttpFetch } from '../src/index.ts';
import { serveAnswers } from './answering-server.ts';

test("a refused redirect's body is cancelled, not left unread", async (t) => {
  const s = await serveAnswers(t, (_req, res) =>
    res.writeHead(302, { location: 'http://127.0.0.1:9/', 'content-type': 'text/html' }).end('<a>moved</a>'),
  );
  const responses: Response[] = [];
  const keeping: HttpFetch = async (u, init) => {
    const res = await fetch(u, init);
    responses.push(res);
    return res;
  };
  const client = new VouchClient({ baseUrl: s.url, fetch: keeping });
  await assert.rejects(client.server.health(), (err: unknown) => isVouchError(err, 'UNEXPECTED_REDIRECT'));
  assert.equal(responses.length, 1, 'not retried');
  assert.equal(responses[0]!.status, 302);
  assert.equal(responses[0]!.bodyUsed, true, 'the body was cancelled');
});
