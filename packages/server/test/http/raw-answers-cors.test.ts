// PROTOCOL.md: with a VOUCH_CORS_ORIGINS list every answer carries `Vary: Origin`, refusals before routing included.
// The answers written below Fastify (a request Node's parser refuses, a 417 for an Expect, a CONNECT) are too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listeningApps, sendRawAnswer } from '../helpers/raw-http.ts';

const ALLOWED = 'https://app.example';

const apps = listeningApps('vouch-raw-cors-');

/** An app listening on loopback with these VOUCH_CORS_ORIGINS (none when undefined); its port. */
async function listening(origins?: string): Promise<number> {
  return (await apps(origins === undefined ? {} : { VOUCH_CORS_ORIGINS: origins })).port;
}

const RAW_REFUSALS: Array<[string, string, number]> = [
  ['an unparsable header', `GET / HTTP/1.1\r\nHost: x\r\nOrigin: ${ALLOWED}\r\nBad Header\r\n\r\n`, 400],
  ['an oversized header block', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`, 431],
  [
    'an Expect other than 100-continue',
    `POST /healthz HTTP/1.1\r\nHost: x\r\nOrigin: ${ALLOWED}\r\nExpect: 200-ok\r\n\r\n`,
    417,
  ],
  ['a CONNECT', `CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\nOrigin: ${ALLOWED}\r\n\r\n`, 405],
];

test('with an origin list, the answers written below Fastify carry Vary: Origin like every other answer', async () => {
  const port = await listening(ALLOWED);
  for (const [what, bytes, status] of RAW_REFUSALS) {
    const res = await sendRawAnswer(port, bytes);
    assert.equal(res.status, status, `${what}: ${res.raw}`);
    assert.equal(res.headers['vary'], 'Origin', `${what}: ${res.raw}`);
  }
});

test('the 417 and the CONNECT 405 (their Origin is read) carry Access-Control-Allow-Origin if allowed', async () => {
  const port = await listening(ALLOWED);
  for (const [what, bytes] of RAW_REFUSALS.slice(2)) {
    const res = await sendRawAnswer(port, bytes);
    assert.equal(res.headers['access-control-allow-origin'], ALLOWED, `${what}: ${res.raw}`);
    assert.match(res.headers['access-control-expose-headers'] ?? '', /x-request-id/, `${what}: ${res.raw}`);
    const other = await sendRawAnswer(port, bytes.replace(ALLOWED, 'https://evil.example'));
    assert.equal(other.headers['access-control-allow-origin'], undefined, `${what}: ${other.raw}`);
    assert.equal(other.headers['vary'], 'Origin', `${what}: ${other.raw}`);
  }
});

test('with no origin list, or `*`, the raw answers carry no Vary (CORS headers only with `*`)', async () => {
  for (const origins of [undefined, '*']) {
    const port = await listening(origins);
    for (const [what, bytes] of RAW_REFUSALS) {
      const res = await sendRawAnswer(port, bytes);
      assert.equal(res.headers['vary'], undefined, `${what}: ${res.raw}`);
      const allow = origins === '*' && !what.includes('header') ? '*' : undefined;
      assert.equal(res.headers['access-control-allow-origin'], allow, `${what}, origins ${origins}: ${res.raw}`);
    }
  }
});
