// A request target of `*` (asterisk-form, RFC 9112 §3.2.4) is for a server-wide OPTIONS only. Another method with it
// names no resource: it was routed as a path (GET * answered 200 with the console's HTML page), and OPTIONS * was a
// 405 saying the "path" served GET and HEAD. Both are now plain answers, checked over a raw loopback socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listeningApps, sendRawAnswer } from '../helpers/raw-http.ts';
import type { RawAnswer } from '../helpers/raw-http.ts';

const apps = listeningApps('vouch-asterisk-');

/** An app listening on loopback with these extra settings; its port. */
async function listening(env: Record<string, string> = {}): Promise<number> {
  return (await apps(env)).port;
}

/** `method *` with a browser's Accept (which would get an HTML page if the target were routed as a path). */
function asterisk(port: number, method: string, extra = ''): Promise<RawAnswer> {
  return sendRawAnswer(
    port,
    `${method} * HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n${extra}Connection: close\r\nContent-Length: 0\r\n\r\n`,
  );
}

test('a method other than OPTIONS with the target `*` is a 400 VALIDATION_FAILED in JSON, never a page', async () => {
  const port = await listening();
  for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']) {
    const res = await asterisk(port, method);
    assert.equal(res.status, 400, `${method}: ${res.raw}`);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', `${method}: ${res.raw}`);
    assert.equal(res.headers['cache-control'], 'no-store', `${method}: ${res.raw}`);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', `${method}: ${res.raw}`);
    assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/, `${method}: ${res.raw}`);
    if (method === 'HEAD') continue;
    const body = JSON.parse(res.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['code', 'error'], res.raw);
    assert.equal(body.code, 'VALIDATION_FAILED', res.raw);
  }
});

test('OPTIONS * is a 204 whose Allow lists the methods the server serves, with nothing written', async () => {
  for (const env of [{}, { VOUCH_CORS_ORIGINS: 'https://app.example' }] as Array<Record<string, string>>) {
    const port = await listening(env);
    const res = await asterisk(port, 'OPTIONS', 'Origin: https://app.example\r\n');
    assert.equal(res.status, 204, res.raw);
    assert.equal(res.body, '', res.raw);
    const allow = (res.headers['allow'] ?? '').split(', ');
    for (const m of ['GET', 'HEAD', 'POST', 'OPTIONS']) assert.ok(allow.includes(m), `${m} in ${res.raw}`);
    assert.ok(!allow.includes('CONNECT') && !allow.includes('TRACE'), res.raw);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', res.raw);
    assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/, res.raw);
  }
});
