// 304 Not Modified is no redirect (it has no Location to follow): the client answers it as the status error it is
// (HTTP_ERROR, status 304), not UNEXPECTED_REDIRECT, whose message would send the caller to change baseUrl. Found by
// mutation testing: dropping the 304 exception from the redirect check failed no test. A loopback server answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VouchApiError, VouchClient } from '../src/index.ts';
import { serveAnswers } from './answering-server.ts';

test('a 304 is the status error HTTP_ERROR, not UNEXPECTED_REDIRECT, and is not retried', async (t) => {
  const s = await serveAnswers(t, (_req, res) => void res.writeHead(304).end());
  const client = new VouchClient({ baseUrl: s.url });
  await assert.rejects(client.server.health(), (err: unknown) => {
    assert.ok(err instanceof VouchApiError, String(err));
    assert.equal(err.code, 'HTTP_ERROR');
    assert.equal(err.status, 304);
    return true;
  });
  assert.deepEqual(s.seen, ['/healthz']);
});
