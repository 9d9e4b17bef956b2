/**
 * `localhost` names and single-label names are refused before any DNS lookup, however many trailing dots the URL
 * gives them: WHATWG keeps `https://localhost../` as the host `localhost..`, which a check that drops one dot saw as
 * the name `localhost.` and sent to DNS, so a DNS answer decided where it went. Here the DNS server answers those
 * names with a public test address, and the connector records every call: it must never be called.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDnsClient, isNetError, safeFetch } from '../../src/net/index.ts';
import type { ConnectTarget, Connector } from '../../src/net/index.ts';
import { TestDnsServer } from './fixtures/dns-server.ts';

const PUBLIC = '127.0.0.3'; // a loopback address the fetcher is told to treat as public
let dns: TestDnsServer;

before(async () => {
  dns = await TestDnsServer.start({
    localhost: { A: [PUBLIC] },
    'api.localhost': { A: [PUBLIC] },
    intranet: { A: [PUBLIC] },
  });
});
after(() => dns.close());

test('localhost and single-label names with several trailing dots: HOST_REFUSED, no lookup, no connection', async () => {
  const calls: ConnectTarget[] = [];
  const connect: Connector = (target) => {
    calls.push(target);
    throw new Error('no connection in this test');
  };
  const options = { dns: createDnsClient({ servers: [dns.address] }), connect, publicTestAddresses: [PUBLIC] };
  for (const url of [
    'https://localhost../',
    'https://LOCALHOST.../',
    'https://api.localhost../',
    'https://intranet../',
  ]) {
    await assert.rejects(safeFetch(url, options), (e) => {
      assert.ok(isNetError(e), `${url}: ${String(e)}`);
      assert.equal(e.code, 'HOST_REFUSED', `${url}: ${e.message}`);
      return true;
    });
  }
  assert.deepEqual(dns.queries, [], 'no name was looked up');
  assert.deepEqual(calls, [], 'the connector was never called');
});
