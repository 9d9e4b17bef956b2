// A 2xx answer that says it is JSON but does not parse (a body cut short by a proxy, an HTML error page labelled
// application/json) is RESPONSE_INVALID, not handed back as a string that callers then read as the answer they asked
// for (an error status keeps its own code). Against a loopback server that answers what a test says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isVouchError, VouchClient } from '../src/index.ts';

type Answer = (res: ServerResponse) => void;

async function serve(t: { after: (fn: () => Promise<void>) => void }, answer: { current: Answer }) {
  let calls = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      answer.current(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls };
}

const respond =
  (type: string, body: string, status = 200): Answer =>
  (res) =>
    void res.writeHead(status, { 'content-type': type }).end(body);

function invalid(err: unknown): true {
  assert.ok(isVouchError(err, 'RESPONSE_INVALID'), `expected RESPONSE_INVALID, got ${String(err)}`);
  return true;
}

test('a 2xx labelled JSON that does not parse is RESPONSE_INVALID, not a string', async (t) => {
  const answer = { current: respond('application/json', '{"status": "o') };
  const s = await serve(t, answer);
  const client = new VouchClient({ baseUrl: s.url, retry: { retries: 2, baseDelayMs: 0 } });
  for (const body of ['{"status": "o', '<html>502 Bad Gateway</html>', '{"a":1}{"b":2}']) {
    answer.current = respond('application/json; charset=utf-8', body);
    await assert.rejects(client.server.health(), (err: unknown) => {
      invalid(err);
      assert.equal((err as { status?: number }).status, 200);
      return true;
    });
  }
  assert.equal(s.calls(), 3, 'not retried: the server did answer');
  // Valid JSON, and a non-JSON answer where none is claimed (Prometheus text), still pass through.
  answer.current = respond('application/json', '{"status":"ok"}');
  assert.deepEqual(await client.server.health(), { status: 'ok' });
  answer.current = respond('text/plain; version=0.0.4', 'vouch_up 1\n');
  assert.equal(await client.server.metrics({ as: 'none' }), 'vouch_up 1\n');
});

test('a refusal whose JSON is cut short is still the status error, not RESPONSE_INVALID', async (t) => {
  const s = await serve(t, { current: respond('application/json', '{"error": "no', 404) });
  const client = new VouchClient({ baseUrl: s.url, retry: { retries: 0 } });
  await assert.rejects(client.server.health(), (err: unknown) => {
    assert.ok(isVouchError(err, 'HTTP_ERROR'), String(err));
    return true;
  });
});
