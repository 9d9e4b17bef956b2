// Every answer carries `X-Content-Type-Options: nosniff`, not only the HTML pages: a JSON answer (or a JSON error that
// echoes part of the path) or a non-HTML file (vouch-keys.json, the JWKS, the registry spec, metrics) must never be
// sniffed into something a browser renders or runs. Checked over a real loopback socket, on success and on every
// kind of error: unknown routes (404), wrong method (405), too large (413), wrong media type (415), rate limited
// (429), refused before routing by Fastify (a path that is not valid UTF-8) and by Node's parser (431).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { listeningApp } from '../helpers/app.ts';
import { sendRawAnswer } from '../helpers/raw-http.ts';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function get(origin: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${origin}${path}`, init);
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

function assertNosniff(name: string, res: Answer, status: number, code?: string): void {
  assert.equal(res.status, status, `${name}: ${res.body.slice(0, 300)}`);
  if (code !== undefined) assert.equal((JSON.parse(res.body) as { code: string }).code, code, name);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', `${name} carries x-content-type-options: nosniff`);
}

eachEngine('every answer, JSON, file or error, carries x-content-type-options: nosniff', async ({ open }) => {
  const storage = await open();
  const t = await listeningApp(storage, { VOUCH_LOG_LEVEL: 'silent', VOUCH_RATE_LIMIT_MAX: '3' });
  const { origin } = t;
  const port = Number(new URL(origin).port);
  try {
    assertNosniff('GET /healthz', await get(origin, '/healthz'), 200);
    assertNosniff('vouch-keys.json', await get(origin, '/.well-known/vouch-keys.json'), 200);
    assertNosniff('the JWKS', await get(origin, '/.well-known/jwks.json'), 200);
    assertNosniff('the registry spec (markdown)', await get(origin, '/api/registry/spec'), 200);
    assertNosniff('the OpenAPI document', await get(origin, '/docs/json'), 200);
    const metrics = await get(origin, '/metrics', { headers: { 'x-api-key': t.adminKey } });
    assertNosniff('metrics (text)', metrics, 200);

    assertNosniff('an unknown route', await get(origin, '/no/such/route'), 404, 'NOT_FOUND');
    assertNosniff('a wrong method', await get(origin, '/healthz', { method: 'DELETE' }), 405, 'METHOD_NOT_ALLOWED');
    assertNosniff('no admin key', await get(origin, '/api/v1/admin/keys'), 401, 'UNAUTHORIZED');
    const json = { 'content-type': 'application/json' };
    assertNosniff(
      'a body too large',
      await get(origin, '/api/registry/verify', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ token: 'x'.repeat(100 * 1024) }),
      }),
      413,
      'BODY_TOO_LARGE',
    );
    assertNosniff(
      'a body of the wrong media type',
      await get(origin, '/api/registry/verify', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'x',
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    assertNosniff(
      'a body that is not JSON',
      await get(origin, '/api/registry/verify', { method: 'POST', headers: json, body: '{' }),
      400,
      'INVALID_JSON',
    );
    let limited: Answer | undefined;
    for (let i = 0; i < 4; i++) limited = await get(origin, '/api/registry/revocations');
    assertNosniff('a rate-limited request', limited!, 429, 'RATE_LIMITED');

    // Refused before any route or onRequest hook ran: Fastify's frameworkErrors, then Node's parser.
    assertNosniff(
      'a path that is not valid UTF-8',
      await sendRawAnswer(port, 'GET /v1/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      400,
      'VALIDATION_FAILED',
    );
    const big = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`;
    assertNosniff('headers too large', await sendRawAnswer(port, big), 431, 'HEADERS_TOO_LARGE');
    assertNosniff(
      'a malformed request',
      await sendRawAnswer(port, 'NOT AN HTTP REQUEST\r\n\r\n'),
      400,
      'VALIDATION_FAILED',
    );
  } finally {
    await t.app.close();
  }
});
