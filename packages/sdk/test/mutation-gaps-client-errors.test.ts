// Mutation gaps in the client's error mapping (src/client/errors.ts, src/client/http.ts) against a loopback server
// that answers what it likes:
// - a `code` that is not an upper-case identifier (lower case, a line break, longer than 64 characters) is not
//   trusted as the server's code: HTTP_ERROR;
// - the server's message is cut at 500 characters;
// - neither the message nor `path` carries the query string, which may hold secrets;
// - a Retry-After of any number of digits is seconds: a longer one is a wait past the cap, not no wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { parseRetryAfter, VouchApiError, VouchClient } from '../src/index.ts';
import { serveAnswers } from './answering-server.ts';

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

async function refusal(p: Promise<unknown>): Promise<VouchApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof VouchApiError, String(err));
    return err;
  }
  assert.fail('expected a rejection');
}

const noSleep = { retry: { retries: 0 } };

test('a code that is not an upper-case identifier of up to 64 characters is HTTP_ERROR', async (t) => {
  const codes = ['agent_revoked', 'AGENT_REVOKED\nX', `A${'B'.repeat(64)}`, '1ABC', '', 'AGENT REVOKED'];
  let i = 0;
  const s = await serveAnswers(t, (_req, res) => json(res, 403, { error: 'no', code: codes[i++] }));
  const client = new VouchClient({ baseUrl: s.url, ...noSleep });
  for (const code of codes) {
    const err = await refusal(client.server.health());
    assert.equal(err.code, 'HTTP_ERROR', JSON.stringify(code));
    assert.equal(err.status, 403);
  }
  const ok = await serveAnswers(t, (_req, res) => json(res, 403, { error: 'no', code: `A${'B'.repeat(63)}` }));
  const longest = await refusal(new VouchClient({ baseUrl: ok.url, ...noSleep }).server.health());
  assert.equal(longest.code, `A${'B'.repeat(63)}`, '64 characters pass');
});

test("the server's message is cut at 500 characters", async (t) => {
  const s = await serveAnswers(t, (_req, res) =>
    json(res, 400, { error: 'x'.repeat(5000), code: 'VALIDATION_FAILED' }),
  );
  const err = await refusal(new VouchClient({ baseUrl: s.url, ...noSleep }).server.health());
  assert.equal(err.code, 'VALIDATION_FAILED');
  assert.equal(err.message, 'x'.repeat(500));
});

test('an error names the path, never the query string', async (t) => {
  const s = await serveAnswers(t, (_req, res) =>
    res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway'),
  );
  const client = new VouchClient({ baseUrl: `${s.url}/prefix`, credentials: { adminKey: 'k' }, ...noSleep });
  const err = await refusal(client.server.audit({ limit: 7, action: 'SECRET-CURSOR-VALUE' }));
  assert.ok(s.seen[0]!.includes('SECRET-CURSOR-VALUE'), 'the query was sent');
  assert.equal(err.code, 'HTTP_ERROR');
  assert.equal(err.status, 502);
  assert.doesNotMatch(err.message, /SECRET|limit=|\?/);
  assert.doesNotMatch(err.path, /SECRET|\?/);
  assert.equal(err.message, `GET ${err.path} answered 502.`);

  // The client's own refusals (a redirect here; a timeout or no answer alike) name the path alone as well.
  const r = await serveAnswers(t, (_req, res) => res.writeHead(302, { location: 'https://elsewhere.example/' }).end());
  const redirected = await refusal(
    new VouchClient({ baseUrl: r.url, credentials: { adminKey: 'k' }, ...noSleep }).server.audit({
      action: 'SECRET-CURSOR-VALUE',
    }),
  );
  assert.equal(redirected.code, 'UNEXPECTED_REDIRECT');
  assert.doesNotMatch(redirected.message, /SECRET|\?/);
  assert.doesNotMatch(redirected.path, /SECRET|\?/);
});

test('Retry-After: any number of digits is seconds (a longer one past any cap); garbage is no delay at all', () => {
  const now = Date.UTC(2026, 0, 1);
  assert.equal(parseRetryAfter('5', now), 5000);
  assert.equal(parseRetryAfter(' 999999999 ', now), 999_999_999_000);
  assert.equal(parseRetryAfter('9999999999', now), 9_999_999_999_000);
  assert.equal(parseRetryAfter('9'.repeat(400), now), Infinity);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now), 10_000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now), 0, 'a date in the past is no wait');
  // Only IMF-fixdate is a date, and only one that prints back as itself: Date.parse would take all of these.
  for (const loose of [
    '-1',
    '1.5',
    '2026-01-01T00:00:10Z',
    'Thu, 31 Feb 2026 00:00:10 GMT',
    'Fri, 01 Jan 2026 00:00:10 GMT',
  ])
    assert.equal(parseRetryAfter(loose, now), undefined, loose);
});

test('an error body is read up to 64 KiB only, whatever maxResponseBytes allows', async (t) => {
  let pad = 0;
  const s = await serveAnswers(t, (_req, res) =>
    json(res, 500, { code: 'BIG_ERROR', error: 'e', pad: 'a'.repeat(pad) }),
  );
  const client = new VouchClient({ baseUrl: s.url, ...noSleep });
  pad = 60 * 1024;
  const small = await refusal(client.server.health());
  assert.equal(small.code, 'BIG_ERROR', 'under 64 KiB: the server code');
  pad = 256 * 1024;
  const big = await refusal(client.server.health());
  assert.deepEqual([big.code, big.status, big.body], ['HTTP_ERROR', 500, undefined], 'over 64 KiB: dropped');
});

test("a call the caller cancels mid-request rejects with the caller's reason, not NETWORK_ERROR", async (t) => {
  const controller = new AbortController();
  const reason = new Error('caller gave up');
  const s = await serveAnswers(t, () => controller.abort(reason)); // never answers; the caller aborts once it arrived
  const client = new VouchClient({ baseUrl: s.url, retry: { retries: 0 } });
  await assert.rejects(client.server.health({ signal: controller.signal }), (err: unknown) => {
    assert.equal(err, reason);
    return true;
  });
  assert.equal(s.seen.length, 1, 'not retried');
});

test('the error-body cap is exactly 64 KiB: a body of 65536 bytes is read, one of 65537 dropped', async (t) => {
  let size = 0;
  const s = await serveAnswers(t, (_req, res) => {
    const head = '{"code":"EXACT_ERROR","error":"e","pad":"';
    const text = head + 'a'.repeat(size - head.length - 2) + '"}';
    assert.equal(Buffer.byteLength(text), size);
    res.writeHead(500, { 'content-type': 'application/json' }).end(text);
  });
  const client = new VouchClient({ baseUrl: s.url, ...noSleep });
  size = 64 * 1024;
  assert.equal((await refusal(client.server.health())).code, 'EXACT_ERROR', '64 KiB: read');
  size = 64 * 1024 + 1;
  const over = await refusal(client.server.health());
  assert.deepEqual([over.code, over.body], ['HTTP_ERROR', undefined], 'one byte more: dropped');
});

test("an empty error message is not the server's sentence: the method, path and status are", async (t) => {
  const s = await serveAnswers(t, (_req, res) => json(res, 409, { error: '', code: 'SLUG_TAKEN' }));
  const err = await refusal(new VouchClient({ baseUrl: s.url, ...noSleep }).server.health());
  assert.equal(err.code, 'SLUG_TAKEN');
  assert.equal(err.message, 'GET /healthz answered 409.');
});
