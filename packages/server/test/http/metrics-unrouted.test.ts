// Requests answered before routing are counted in vouch_http_requests_total like any other request no route matched
// (route `unmatched`, their status): OPTIONS * (answered by the first onRequest hook) and a URL Fastify cannot route
// (frameworkErrors: a path that is not valid UTF-8, a path parameter longer than maxParamLength) were not counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listeningApps, sendRawAnswer } from '../helpers/raw-http.ts';
import type { ListeningApp } from '../helpers/raw-http.ts';

const apps = listeningApps('vouch-metrics-unrouted-');

/** The vouch_http_requests_total lines of `app`'s /metrics. */
async function requestLines(app: ListeningApp['vouch']): Promise<string[]> {
  const res = await app.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': app.adminKey } });
  assert.equal(res.statusCode, 200, res.body);
  return res.body.split('\n').filter((l) => l.startsWith('vouch_http_requests_total{'));
}

/** Sends `method target` over a raw loopback socket; its status. */
async function send(port: number, method: string, target: string): Promise<number> {
  const head = `${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
  return (await sendRawAnswer(port, head)).status;
}

test('OPTIONS * and URLs refused before routing are counted as route `unmatched` under their status', async () => {
  const { vouch, port } = await apps({ VOUCH_LOG_LEVEL: 'silent' });
  assert.equal(await send(port, 'OPTIONS', '*'), 204);
  assert.equal(await send(port, 'OPTIONS', '*'), 204);
  assert.equal(await send(port, 'GET', '/v1/%E0%A4%A'), 400);
  assert.equal(await send(port, 'GET', `/verify/${'a'.repeat(501)}`), 400);
  assert.equal(await send(port, 'POST', '/v1/%E0%A4%A'), 400);

  assert.deepEqual((await requestLines(vouch)).sort(), [
    'vouch_http_requests_total{method="GET",route="unmatched",status="400"} 2',
    'vouch_http_requests_total{method="OPTIONS",route="unmatched",status="204"} 2',
    'vouch_http_requests_total{method="POST",route="unmatched",status="400"} 1',
  ]);
});

test('Host refusals count as route `unmatched` when no route matched, else under the matched route', async () => {
  const { vouch, port } = await apps({ VOUCH_LOG_LEVEL: 'silent' });
  const raw = async (head: string) =>
    (await sendRawAnswer(port, `${head}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)).status;
  assert.equal(await raw('GET /no/such/route HTTP/1.1'), 400);
  assert.equal(await raw('GET /no/such/route HTTP/1.1\r\nHost: x\r\nHost: y'), 400);
  assert.equal(await raw('GET /healthz HTTP/1.1'), 400);
  assert.deepEqual((await requestLines(vouch)).sort(), [
    'vouch_http_requests_total{method="GET",route="/healthz",status="400"} 1',
    'vouch_http_requests_total{method="GET",route="unmatched",status="400"} 2',
  ]);
});

test('with CORS on, OPTIONS * is routed to the preflight route and counted there only, not twice', async () => {
  const { vouch, port } = await apps({ VOUCH_LOG_LEVEL: 'silent', VOUCH_CORS_ORIGINS: 'https://app.example' });
  assert.equal(await send(port, 'OPTIONS', '*'), 204);
  assert.equal(await send(port, 'OPTIONS', '*'), 204);
  assert.deepEqual(await requestLines(vouch), ['vouch_http_requests_total{method="OPTIONS",route="*",status="204"} 2']);
});
