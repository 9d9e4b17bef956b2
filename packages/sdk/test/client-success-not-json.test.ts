// A 2xx answer of a route that answers JSON, but whose body is not JSON at all (a proxy's or a single-page app's HTML
// fallback labelled text/html, a 204 or an empty 200), is RESPONSE_INVALID: it was handed back as the answer (a
// string, or undefined), so a write such as tokens.revoke resolved as if the server had done it. The two routes that
// answer text (metrics, the AIP spec) still hand their text back. Against a loopback server that answers what a test
// says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, responseInvalid, serveAnswers } from './answering-server.ts';
import { VouchClient } from '../src/index.ts';

test('a 2xx of a JSON route whose body is not JSON is RESPONSE_INVALID, not the answer', async (t) => {
  const answer = { current: respond('text/html; charset=utf-8', '<html>OK</html>') };
  const s = await serveAnswers(t, (req, res) => answer.current(req, res));
  const client = new VouchClient({ baseUrl: s.url, credentials: { adminKey: 'k' }, retry: { retries: 2 } });
  const cases: Array<[string, string, number]> = [
    ['text/html; charset=utf-8', '<!doctype html><html><body>Welcome</body></html>', 200],
    ['text/plain', '{"revoked":true,"jti":"j1"}', 200],
    ['application/octet-stream', '', 200],
    ['text/html', '', 204],
  ];
  for (const [type, body, status] of cases) {
    answer.current = respond(type, body, status);
    await assert.rejects(client.tokens.revoke({ jti: 'j1' }), (err: unknown) => {
      responseInvalid(err);
      assert.equal((err as { status?: number }).status, status);
      return true;
    });
    await assert.rejects(client.server.health(), responseInvalid);
  }
  assert.equal(s.seen.length, 2 * cases.length, 'not retried: the server did answer');
  // A 401 that is not the verify route's JSON verdict stays the status error it was.
  answer.current = respond('text/html', '<html>Unauthorized</html>', 401);
  await assert.rejects(client.tokens.verify({ token: 'x' }), (err: unknown) => {
    assert.equal((err as { code?: string; status?: number }).code, 'HTTP_ERROR');
    assert.equal((err as { status?: number }).status, 401);
    return true;
  });
  // The text routes keep their text; a JSON route's JSON passes.
  answer.current = respond('text/plain; version=0.0.4', 'vouch_up 1\n');
  assert.equal(await client.server.metrics(), 'vouch_up 1\n');
  answer.current = respond('text/markdown; charset=utf-8', '# AIP\n');
  assert.equal(await client.tokens.spec(), '# AIP\n');
  answer.current = respond('application/json', '{"revoked":true,"jti":"j1"}');
  assert.deepEqual(await client.tokens.revoke({ jti: 'j1' }), { revoked: true, jti: 'j1' });
});

test('a body labelled with a +json suffix or in upper case is JSON: the answer and the error code', async (t) => {
  const answer = { current: respond('application/vnd.vouch+json', '{"status":"ok"}') };
  const s = await serveAnswers(t, (req, res) => answer.current(req, res));
  const client = new VouchClient({ baseUrl: s.url, retry: { retries: 0 } });
  for (const type of ['application/vnd.vouch+json', 'APPLICATION/JSON; charset=UTF-8']) {
    answer.current = respond(type, '{"status":"ok"}');
    assert.deepEqual(await client.server.health(), { status: 'ok' }, type);
    answer.current = respond(type, '{"error":"gone","code":"AGENT_REVOKED"}', 410);
    await assert.rejects(client.server.health(), { code: 'AGENT_REVOKED', message: 'gone' });
  }
  // application/problem+json (RFC 9457) likewise.
  answer.current = respond('application/problem+json', '{"error":"slow down","code":"RATE_LIMITED"}', 400);
  await assert.rejects(client.server.health(), { code: 'RATE_LIMITED' });
});
