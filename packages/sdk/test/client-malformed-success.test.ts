// A 2xx answer that says it is JSON but does not parse (a body cut short by a proxy, an HTML error page labelled
// application/json) is RESPONSE_INVALID, not handed back as a string that callers then read as the answer they asked
// for (an error status keeps its own code). Against a loopback server that answers what a test says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, responseInvalid, serveAnswers } from './answering-server.ts';
import { isVouchError, VouchClient } from '../src/index.ts';

test('a 2xx labelled JSON that does not parse is RESPONSE_INVALID, not a string', async (t) => {
  const answer = { current: respond('application/json', '{"status": "o') };
  const s = await serveAnswers(t, (req, res) => answer.current(req, res));
  const client = new VouchClient({ baseUrl: s.url, retry: { retries: 2, baseDelayMs: 0 } });
  for (const body of ['{"status": "o', '<html>502 Bad Gateway</html>', '{"a":1}{"b":2}']) {
    answer.current = respond('application/json; charset=utf-8', body);
    await assert.rejects(client.server.health(), (err: unknown) => {
      responseInvalid(err);
      assert.equal((err as { status?: number }).status, 200);
      return true;
    });
  }
  assert.equal(s.seen.length, 3, 'not retried: the server did answer');
  // Valid JSON, and a non-JSON answer where none is claimed (Prometheus text), still pass through.
  answer.current = respond('application/json', '{"status":"ok"}');
  assert.deepEqual(await client.server.health(), { status: 'ok' });
  answer.current = respond('text/plain; version=0.0.4', 'vouch_up 1\n');
  assert.equal(await client.server.metrics({ as: 'none' }), 'vouch_up 1\n');
});

test('a refusal whose JSON is cut short is still the status error, not RESPONSE_INVALID', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"error": "no', 404));
  const client = new VouchClient({ baseUrl: s.url, retry: { retries: 0 } });
  await assert.rejects(client.server.health(), (err: unknown) => {
    assert.ok(isVouchError(err, 'HTTP_ERROR'), String(err));
    return true;
  });
});

test('a 2xx of valid JSON that is not an object is RESPONSE_INVALID, not the answer', async (t) => {
  const answer = { current: respond('application/json', 'null') };
  const s = await serveAnswers(t, (req, res) => answer.current(req, res));
  const client = new VouchClient({ baseUrl: s.url, credentials: { adminKey: 'k' }, retry: { retries: 0 } });
  for (const body of ['null', '[]', '[{"status":"ok"}]', '42', '"ok"', 'true']) {
    answer.current = respond('application/json', body);
    await assert.rejects(client.server.health(), responseInvalid, body);
    await assert.rejects(client.tokens.verify({ token: 'e30.e30.' }), responseInvalid, body);
  }
});
