/**
 * The SSRF-safe fetcher against a real local DNS server and a real HTTPS server on 127.0.0.3:443 (a throwaway
 * openssl CA, passed as `ca`). 127.0.0.3 is listed as a "public test address"; every other loopback address keeps
 * its refusal. Refusals are asserted through a connector that records every call: it must never be called for a
 * refused target. Nothing here connects to a non-loopback address.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Socket } from 'node:net';
import type { Server } from 'node:http';
import {
  FETCH_DEADLINE_MS,
  FETCH_MAX_BODY_BYTES,
  FETCH_MAX_REDIRECTS,
  createDnsClient,
  isNetError,
  safeFetch,
} from '../../src/net/index.ts';
import type { ConnectTarget, Connector, NetErrorCode, ResolvedAddress, SafeFetchOptions } from '../../src/net/index.ts';
import { TestDnsServer } from './fixtures/dns-server.ts';
import { TestHttpsServer } from './fixtures/https-server.ts';
import { makeTestPki } from './fixtures/pki.ts';
import type { TestPki } from './fixtures/pki.ts';

const SITE = '127.0.0.3';
/** An address whose connections never complete (the test connector hands out a socket that never connects). */
const DROPPING = '127.0.0.4';
let dnsServer: TestDnsServer;
let pki: TestPki;
let https: TestHttpsServer;
let plain: Server;
let plainPort: number;
let calls: ConnectTarget[];
let connect: Connector;
const seenHeaders: Array<Record<string, string | string[] | undefined>> = [];

before(async () => {
  dnsServer = await TestDnsServer.start({
    'site.test': { A: [SITE] },
    'www.site.test': { A: [SITE] },
    'loop.test': { A: ['127.0.0.1'] },
    'loop6.test': { AAAA: ['::1'] },
    'mapped.test': { AAAA: ['::ffff:127.0.0.1'] },
    'private.test': { A: ['10.0.0.1'] },
    'metadata.test': { A: ['169.254.169.254'] },
    'mixed.test': { A: [SITE, '127.0.0.1'] },
    'two.test': { A: [DROPPING, SITE] },
    'dropping.test': { A: [DROPPING] },
    'wrong-then-dropping.test': { A: [SITE, DROPPING] },
    'wrong-name.test': { A: [SITE] },
    'nothing.test': {},
  });
  pki = await makeTestPki(['site.test', '*.site.test', 'rebind.test', 'mixed.test', 'two.test']);
  https = await TestHttpsServer.start(SITE, pki);
  if (!https.boundTo443) console.log(`note: could not bind ${SITE}:443; the test connector maps 443 to ${https.port}`);
  https.handler = (req, res) => {
    seenHeaders.push(req.headers);
    const url = new URL(req.url ?? '/', 'https://x');
    const hops = Number(url.searchParams.get('n') ?? '0');
    switch (url.pathname) {
      case '/hello':
        res.setHeader('content-type', 'text/plain');
        res.end(`hello ${req.headers.host}`);
        return;
      case '/chain': // redirects n more times, then answers
        if (hops > 0) {
          res.writeHead(302, { location: `/chain?n=${hops - 1}` });
          res.end();
        } else res.end('end of chain');
        return;
      case '/to': // redirects to the `u` parameter
        res.writeHead(301, { location: url.searchParams.get('u')!, 'set-cookie': 'session=secret; Path=/' });
        res.end();
        return;
      case '/status': // answers status `s`, with `u` as Location when given
        res.writeHead(
          Number(url.searchParams.get('s')),
          url.searchParams.has('u') ? { location: url.searchParams.get('u')! } : {},
        );
        res.end();
        return;
      case '/big':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(Buffer.alloc(Number(url.searchParams.get('size')), 'a'));
        return;
      case '/cut': // promises 100 bytes, sends 3, closes
        res.writeHead(200, { 'content-length': '100' });
        res.write('abc', () => res.socket?.destroy());
        return;
      case '/hang': // never answers
        return;
      case '/drip': // headers, then nothing
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first bytes');
        return;
      default:
        res.statusCode = 404;
        res.end();
    }
  };
  plain = createServer((req, res) => res.end(`plain ${req.headers.host}`));
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  plainPort = (plain.address() as { port: number }).port;
});

after(async () => {
  await https.close();
  await new Promise<void>((resolve) => plain.close(() => resolve()));
  plain.closeAllConnections();
  await dnsServer.close();
  await pki.cleanup();
});

beforeEach(() => {
  calls = [];
  connect = https.connector(pki.caPem, calls);
  seenHeaders.length = 0;
});

function opts(extra: Partial<SafeFetchOptions> = {}): SafeFetchOptions {
  return { dns: createDnsClient({ servers: [dnsServer.address] }), connect, publicTestAddresses: [SITE], ...extra };
}

/** The test connector, except that connections to {@link DROPPING} never complete; every target is recorded. */
function droppingConnector(tried: string[]): Connector {
  return (target) => {
    tried.push(target.address);
    if (target.address !== DROPPING) return connect(target);
    // A SYN that is never answered: Node queues what is written to a connecting socket until it connects.
    const never = new Socket();
    (never as { connecting: boolean }).connecting = true;
    return never;
  };
}

async function refused(url: string, code: NetErrorCode, extra: Partial<SafeFetchOptions> = {}): Promise<void> {
  await assert.rejects(safeFetch(url, opts(extra)), (e) => {
    assert.ok(isNetError(e), `${url}: ${String(e)}`);
    assert.equal(e.code, code, `${url}: ${e.message}`);
    return true;
  });
}

test('fetches over TLS from the checked address, with the host name as SNI, certificate name and Host', async () => {
  const res = await safeFetch('https://site.test/hello', opts());
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), 'hello site.test');
  assert.equal(res.truncated, false);
  assert.equal(res.url, 'https://site.test/hello');
  assert.deepEqual(calls, [{ address: SITE, family: 4, port: 443, hostname: 'site.test', tls: true }]);
  assert.deepEqual(https.requests.at(-1), { host: 'site.test', servername: 'site.test', path: '/hello' });
  assert.equal(seenHeaders[0]!['accept-encoding'], 'identity');
  assert.equal(seenHeaders[0]!.cookie, undefined);
  assert.deepEqual(
    [FETCH_DEADLINE_MS, FETCH_MAX_BODY_BYTES, FETCH_MAX_REDIRECTS],
    [5000, 64 * 1024, 3],
    'the issue’s limits are the defaults',
  );
});

test('SSRF: loopback, private, link-local and every spelling of them are refused before any connection', async () => {
  const before = dnsServer.queries.length;
  const cases: Array<[string, NetErrorCode]> = [
    ['https://127.0.0.1/', 'ADDRESS_REFUSED'],
    ['https://localhost/', 'HOST_REFUSED'],
    ['https://LOCALHOST./', 'HOST_REFUSED'],
    ['https://api.localhost/', 'HOST_REFUSED'],
    ['https://10.0.0.1/', 'ADDRESS_REFUSED'],
    ['https://169.254.169.254/latest/meta-data/', 'ADDRESS_REFUSED'],
    ['https://[::1]/', 'ADDRESS_REFUSED'],
    ['https://[::ffff:127.0.0.1]/', 'ADDRESS_REFUSED'],
    ['https://[::ffff:a9fe:a9fe]/', 'ADDRESS_REFUSED'],
    ['https://[::127.0.0.1]/', 'ADDRESS_REFUSED'],
    ['https://[64:ff9b::7f00:1]/', 'ADDRESS_REFUSED'],
    ['https://[2002:7f00:1::]/', 'ADDRESS_REFUSED'],
    ['https://[fe80::1]/', 'ADDRESS_REFUSED'],
    ['https://[fd00::1]/', 'ADDRESS_REFUSED'],
    ['https://[::]/', 'ADDRESS_REFUSED'],
    ['https://2130706433/', 'ADDRESS_REFUSED'], // decimal 127.0.0.1
    ['https://0x7f000001/', 'ADDRESS_REFUSED'], // hex
    ['https://0177.0.0.1/', 'ADDRESS_REFUSED'], // octal
    ['https://0x7f.1/', 'ADDRESS_REFUSED'],
    ['https://127.1/', 'ADDRESS_REFUSED'], // short form
    ['https://127.0.0.1./', 'ADDRESS_REFUSED'],
    ['https://%31%32%37.0.0.1/', 'ADDRESS_REFUSED'], // percent-encoded
    ['https://0/', 'ADDRESS_REFUSED'],
    ['https://100.64.0.1/', 'ADDRESS_REFUSED'],
    ['https://192.168.0.1/', 'ADDRESS_REFUSED'],
    ['https://172.16.0.1/', 'ADDRESS_REFUSED'],
    ['https://224.0.0.1/', 'ADDRESS_REFUSED'],
    ['https://255.255.255.255/', 'ADDRESS_REFUSED'],
    ['https://intranet/', 'HOST_REFUSED'],
    ['http://site.test/', 'SCHEME_REFUSED'],
    ['ftp://site.test/', 'SCHEME_REFUSED'],
    ['file:///etc/passwd', 'SCHEME_REFUSED'],
    ['https://site.test:8443/', 'PORT_REFUSED'],
    ['https://site.test:80/', 'PORT_REFUSED'],
    ['https://user:pw@site.test/', 'CREDENTIALS_REFUSED'],
    ['not a url', 'URL_INVALID'],
  ];
  for (const [url, code] of cases) await refused(url, code);
  assert.equal(dnsServer.queries.length, before, 'literal addresses and refused names are never looked up');
  assert.deepEqual(calls, [], 'the connector was never called');
});

test('SSRF: names that resolve to a refused address are refused, even when only one of their addresses is', async () => {
  for (const name of ['loop.test', 'loop6.test', 'mapped.test', 'private.test', 'metadata.test', 'mixed.test']) {
    await refused(`https://${name}/`, 'ADDRESS_REFUSED');
  }
  await refused('https://nothing.test/', 'DNS_NO_ADDRESS');
  await refused('https://nxdomain.test/', 'DNS_NO_ADDRESS');
  assert.deepEqual(calls, [], 'the connector was never called');
});

test('SSRF: every redirect is checked again — to loopback, to a name resolving to it, to http, to another port', async () => {
  const targets: Array<[string, NetErrorCode]> = [
    ['https://127.0.0.1/', 'ADDRESS_REFUSED'],
    ['https://2130706433/', 'ADDRESS_REFUSED'],
    ['https://[::1]/', 'ADDRESS_REFUSED'],
    ['https://loop.test/x', 'ADDRESS_REFUSED'],
    ['https://localhost/', 'HOST_REFUSED'],
    ['https://169.254.169.254/', 'ADDRESS_REFUSED'],
    ['http://site.test/hello', 'SCHEME_REFUSED'],
    ['https://site.test:8443/hello', 'PORT_REFUSED'],
  ];
  for (const [target, code] of targets) {
    calls.length = 0;
    await refused(`https://site.test/to?u=${encodeURIComponent(target)}`, code);
    assert.deepEqual(
      calls.map((c) => c.address),
      [SITE],
      `only the first hop connected (${target})`,
    );
  }
});

test('DNS rebinding: the connection goes to the address that was checked, and the name is resolved once', async () => {
  dnsServer.dynamic = (name, type, count) =>
    name === 'rebind.test' ? (type === 'A' ? { A: [count === 0 ? SITE : '127.0.0.1'] } : {}) : undefined;
  try {
    const res = await safeFetch('https://rebind.test/hello', opts());
    assert.equal(res.body.toString(), 'hello rebind.test');
    assert.deepEqual(
      calls.map((c) => [c.address, c.hostname]),
      [[SITE, 'rebind.test']],
    );
    assert.equal(dnsServer.count('rebind.test', 'A'), 1);
    await refused('https://rebind.test/hello', 'ADDRESS_REFUSED'); // the second answer is loopback
  } finally {
    dnsServer.dynamic = undefined;
  }
});

test('redirects: up to 3 followed (relative and to a subdomain), a 4th is an error; cookies are never sent back', async () => {
  const three = await safeFetch('https://site.test/chain?n=3', opts());
  assert.equal(three.body.toString(), 'end of chain');
  assert.equal(three.redirects.length, 3);
  calls.length = 0;
  await refused('https://site.test/chain?n=4', 'TOO_MANY_REDIRECTS');
  assert.equal(calls.length, 4, 'the first request and three redirects, not a fifth');

  seenHeaders.length = 0;
  const moved = await safeFetch(`https://site.test/to?u=${encodeURIComponent('https://www.site.test/hello')}`, opts());
  assert.equal(moved.url, 'https://www.site.test/hello');
  assert.equal(moved.body.toString(), 'hello www.site.test');
  assert.equal(seenHeaders.length, 2);
  assert.ok(
    seenHeaders.every((h) => h.cookie === undefined),
    'the Set-Cookie of the redirect was not sent back',
  );
  await refused(`https://site.test/to?u=${encodeURIComponent('https://[bad')}`, 'REDIRECT_INVALID');
});

test('body cap: 64 KiB kept, the rest not read', async () => {
  const big = await safeFetch('https://site.test/big?size=1048576', opts());
  assert.equal(big.body.length, 64 * 1024);
  assert.equal(big.truncated, true);
  const exact = await safeFetch(`https://site.test/big?size=${64 * 1024}`, opts());
  assert.equal(exact.body.length, 64 * 1024);
  assert.equal(exact.truncated, false);
  const small = await safeFetch('https://site.test/big?size=100', opts({ maxBodyBytes: 10 }));
  assert.deepEqual([small.body.length, small.truncated], [10, true]);
});

test('deadline: a server that never answers, a body that never ends and a DNS server that never replies', async () => {
  for (const path of ['/hang', '/drip']) {
    const started = Date.now();
    await refused(`https://site.test${path}`, 'DEADLINE_EXCEEDED', { deadlineMs: 200 });
    // Stopped by the deadline given, not the default one, with seconds to spare for a loaded machine.
    const took = Date.now() - started;
    assert.ok(took < FETCH_DEADLINE_MS - 1000, `${path} stopped after ${took} ms, not at the 200 ms deadline`);
  }
  dnsServer.silent.add('black-hole.test');
  await refused('https://black-hole.test/', 'DEADLINE_EXCEEDED', { deadlineMs: 200 });
  assert.deepEqual(calls.length, 2, 'nothing connected for the name that never resolved');
});

test('TLS: a certificate for another name, or from an untrusted CA, fails', async () => {
  await refused('https://wrong-name.test/hello', 'TLS_FAILED');
  await refused('https://site.test/hello', 'TLS_FAILED', { connect: https.connector(undefined, calls) });
});

test('insecure mode (VOUCH_DOMAIN_VERIFY_INSECURE=1): http, any port and loopback, but still no private ranges', async () => {
  const spy: ConnectTarget[] = [];
  const insecure = opts({ insecure: true, connect: https.connector(pki.caPem, spy), publicTestAddresses: [] });
  const res = await safeFetch(`http://127.0.0.1:${plainPort}/`, insecure);
  assert.equal(res.body.toString(), `plain 127.0.0.1:${plainPort}`);
  const named = await safeFetch(`http://localhost:${plainPort}/`, insecure);
  assert.equal(named.body.toString(), `plain localhost:${plainPort}`);
  const viaDns = await safeFetch(`http://loop.test:${plainPort}/`, insecure);
  assert.equal(viaDns.body.toString(), `plain loop.test:${plainPort}`);
  assert.equal(spy.length, 3);
  spy.length = 0;
  for (const url of ['http://10.0.0.1/', 'https://169.254.169.254/', 'http://[fe80::1]/', 'http://private.test/']) {
    await refused(url, 'ADDRESS_REFUSED', { insecure: true, connect: https.connector(pki.caPem, spy) });
  }
  assert.deepEqual(spy, []);
  await refused(`http://127.0.0.1:${plainPort}/`, 'SCHEME_REFUSED');
});

test('no proxy: HTTPS_PROXY and HTTP_PROXY are ignored', async () => {
  const saved = { https: process.env.HTTPS_PROXY, http: process.env.HTTP_PROXY };
  process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
  process.env.HTTP_PROXY = 'http://127.0.0.1:9';
  try {
    const res = await safeFetch('https://site.test/hello', opts());
    assert.equal(res.status, 200);
    assert.equal(calls[0]!.address, SITE);
  } finally {
    for (const [k, v] of [
      ['HTTPS_PROXY', saved.https],
      ['HTTP_PROXY', saved.http],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

test("an address that drops connections gets one attempt, and the host's next address answers", async () => {
  const tried: string[] = [];
  // The deadline only ends early on a failure: the answering address has what is left of it, loaded machine or not.
  const res = await safeFetch(
    'https://two.test/hello',
    opts({
      connect: droppingConnector(tried),
      publicTestAddresses: [SITE, DROPPING],
      connectAttemptMs: 50,
      deadlineMs: 10_000,
    }),
  );
  assert.equal(res.body.toString(), 'hello two.test');
  assert.deepEqual(tried, [DROPPING, SITE]);
});

test('the last address gets what is left of the deadline, not one attempt; a TLS failure is not retried', async () => {
  const tried: string[] = [];
  const extra = { connect: droppingConnector(tried), publicTestAddresses: [SITE, DROPPING], connectAttemptMs: 50 };
  await refused('https://dropping.test/hello', 'DEADLINE_EXCEEDED', { ...extra, deadlineMs: 300 });
  assert.deepEqual(tried, [DROPPING]);
  tried.length = 0;
  // The certificate does not name the host: the next address (same host, same certificate check) is not tried.
  // The first address connects: an attempt bound it meets however loaded the machine (a 50 ms timer can run before
  // the event loop sees a loopback connect), so only the TLS failure can end it and move on.
  const connects = { ...extra, connectAttemptMs: 5_000, deadlineMs: 10_000 };
  await refused('https://wrong-then-dropping.test/hello', 'TLS_FAILED', connects);
  assert.deepEqual(tried, [SITE]);
});

test('a body cut short of its Content-Length fails; the URL answered is given without its fragment', async () => {
  await refused('https://site.test/cut', 'HTTP_FAILED');
  const res = await safeFetch('https://site.test/hello#frag', opts());
  assert.equal(res.url, 'https://site.test/hello');
});

test('every redirect status is followed, a 3xx without Location is the answer; User-Agent and Accept are sent', async () => {
  for (const status of [301, 302, 303, 307, 308]) {
    const res = await safeFetch(`https://site.test/status?s=${status}&u=/hello`, opts());
    assert.deepEqual([res.status, res.redirects], [200, ['https://site.test/hello']], `${status}`);
  }
  const bare = await safeFetch('https://site.test/status?s=302', opts({ accept: 'text/plain' }));
  assert.deepEqual([bare.status, bare.redirects], [302, []]);
  assert.match(String(seenHeaders.at(-1)!['user-agent']), /^Vouch\/\S+ \(domain verification\)$/);
  assert.equal(seenHeaders.at(-1)!.accept, 'text/plain');
});

test('deadline: a DNS client that ignores the signal and answers late cannot open a connection', async () => {
  let answer!: (addresses: ResolvedAddress[]) => void;
  const dns = { resolveAddresses: () => new Promise<ResolvedAddress[]>((resolve) => (answer = resolve)) };
  await refused('https://site.test/hello', 'DEADLINE_EXCEEDED', { dns, deadlineMs: 50 });
  answer([{ address: SITE, family: 4 }]);
  await new Promise((resolve) => setImmediate(resolve)); // the abandoned fetch runs on to the connector, if it would
  assert.deepEqual(calls, []);
});
