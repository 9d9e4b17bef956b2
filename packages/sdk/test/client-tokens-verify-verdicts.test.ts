// tokens.verify against a loopback server: a 401 is a verdict only in the verify shape ({valid: false}); any other
// 401 body, {valid: true} above all, is the status error, never a "valid" answer. And whether the call is sent once:
// with a credential and a token that carries a nonce, or one that does not even decode (it may, for all the client
// knows), a retry could only say NONCE_REPLAYED; sent without a credential (as: 'none'), the caller is no audience
// and consumes nothing, so it is retried like any idempotent call. Found by mutation testing: reading any 401 with a
// `valid` member as a verdict, sending an undecodable token with retries, and counting as: 'none' as a credential
// each failed no test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeBase64url, VouchApiError, VouchClient } from '../src/index.ts';
import { serveAnswers } from './answering-server.ts';

const json = (res: ServerResponse, status: number, body: unknown) =>
  void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** An unsigned compact JWT with these claims (the client only decodes it to look for a nonce). */
function jwtWith(claims: Record<string, unknown>): string {
  const part = (v: unknown) => encodeBase64url(new TextEncoder().encode(JSON.stringify(v)));
  return `${part({ alg: 'EdDSA', typ: 'JWT' })}.${part(claims)}.${encodeBase64url(new Uint8Array(64))}`;
}

function client(url: string) {
  return new VouchClient({
    baseUrl: url,
    credentials: { adminKey: 'admin-key' },
    retry: { retries: 2 },
    sleep: async () => {},
  });
}

test('a 401 whose body is not {valid: false} is the status error, not a verdict', async (t) => {
  for (const body of [{ valid: true }, { valid: 'false' }, { error: 'no', code: 'UNAUTHORIZED', valid: null }]) {
    const s = await serveAnswers(t, (_req, res) => json(res, 401, body));
    await assert.rejects(client(s.url).tokens.verify({ token: jwtWith({}) }), (err: unknown) => {
      assert.ok(err instanceof VouchApiError, JSON.stringify(body));
      assert.equal(err.status, 401);
      return true;
    });
  }
  const s = await serveAnswers(t, (_req, res) => json(res, 401, { valid: false, error: 'expired' }));
  assert.deepEqual(await client(s.url).tokens.verify({ token: jwtWith({}) }), { valid: false, error: 'expired' });
});

/** A server unavailable on its first request, then answering a valid verdict. */
function unavailableOnce(): (req: IncomingMessage, res: ServerResponse) => void {
  let n = 0;
  return (_req, res) => (++n === 1 ? json(res, 503, { error: 'busy', code: 'BUSY' }) : json(res, 200, { valid: true }));
}

test('with a credential, a token that does not decode is sent once', async (t) => {
  const s = await serveAnswers(t, unavailableOnce());
  await assert.rejects(client(s.url).tokens.verify({ token: 'not-a-jwt' }, { as: 'admin' }), /busy/);
  assert.equal(s.seen.length, 1);
});

test("as: 'none' consumes no nonce: the call is retried, nonce or not", async (t) => {
  const s = await serveAnswers(t, unavailableOnce());
  const token = jwtWith({ nonce: 'n-1' });
  assert.deepEqual(await client(s.url).tokens.verify({ token }, { as: 'none' }), { valid: true });
  assert.equal(s.seen.length, 2);
  const once = await serveAnswers(t, unavailableOnce());
  await assert.rejects(client(once.url).tokens.verify({ token }, { as: 'admin' }), /busy/);
  assert.equal(once.seen.length, 1, 'with a credential and a nonce: sent once');
});
