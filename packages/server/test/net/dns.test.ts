import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDnsClient, isNetError, parseDnsServers } from '../../src/net/index.ts';
import { TestDnsServer } from './fixtures/dns-server.ts';

let server: TestDnsServer;
before(async () => {
  server = await TestDnsServer.start({
    'chunks.test': { TXT: [['abc', 'def', 'ghi'], 'second'] },
    'host.test': { A: ['127.0.0.5', '127.0.0.6'], AAAA: ['::1'] },
    'v6only.test': { AAAA: ['2001:db8::1'] },
    'empty.test': {},
    'v4-lost.test': { AAAA: ['2001:db8::2'] },
    'v6-lost.test': { A: ['127.0.0.7'] },
    'v4-lost-v6-empty.test': {},
    'v6-lost-v4-empty.test': {},
  });
  for (const lost of ['v4-lost.test/A', 'v6-lost.test/AAAA', 'v4-lost-v6-empty.test/A', 'v6-lost-v4-empty.test/AAAA']) {
    server.silent.add(lost);
  }
});
after(() => server.close());

test('TXT records: each record’s character-strings are joined; no record and no name are both []', async () => {
  const dns = createDnsClient({ servers: [server.address] });
  assert.deepEqual((await dns.resolveTxt('chunks.test')).sort(), ['abcdefghi', 'second']);
  assert.deepEqual(await dns.resolveTxt('empty.test'), []);
  assert.deepEqual(await dns.resolveTxt('nxdomain.test'), []);
});

test('addresses: A then AAAA; names with only one family; unknown names give []', async () => {
  const dns = createDnsClient({ servers: [server.address] });
  assert.deepEqual(await dns.resolveAddresses('host.test'), [
    { address: '127.0.0.5', family: 4 },
    { address: '127.0.0.6', family: 4 },
    { address: '::1', family: 6 },
  ]);
  assert.deepEqual(await dns.resolveAddresses('v6only.test'), [{ address: '2001:db8::1', family: 6 }]);
  assert.deepEqual(await dns.resolveAddresses('nxdomain.test'), []);
});

test('a server that never answers: DNS_FAILED after the resolver timeout, DEADLINE_EXCEEDED on abort', async () => {
  server.silent.add('silent.test');
  const dns = createDnsClient({ servers: [server.address], timeoutMs: 100, tries: 1 });
  await assert.rejects(dns.resolveTxt('silent.test'), (e) => isNetError(e, 'DNS_FAILED') && /ETIMEOUT/.test(e.message));
  // Aborted once the question has arrived, not by a timer racing the resolver's: the abort always comes mid-lookup,
  // and the lookups left alone would take 2 × 10 s each, far beyond the bound below on any machine.
  const slow = createDnsClient({ servers: [server.address], timeoutMs: 10_000, tries: 2 });
  const started = Date.now();
  await assert.rejects(slow.resolveTxt('silent.test', abortOnceAsked('silent.test')), (e) =>
    isNetError(e, 'DEADLINE_EXCEEDED'),
  );
  await assert.rejects(slow.resolveAddresses('silent.test', abortOnceAsked('silent.test')), (e) =>
    isNetError(e, 'DEADLINE_EXCEEDED'),
  );
  assert.ok(Date.now() - started < 10_000, 'the abort cut the lookups short');
});

/** A signal aborted as soon as the server has received one more question for `name` than it had so far. */
function abortOnceAsked(name: string): AbortSignal {
  const controller = new AbortController();
  const seen = server.count(name);
  const poll = setInterval(() => {
    if (server.count(name) <= seen) return;
    clearInterval(poll);
    controller.abort();
  }, 5);
  poll.unref();
  return controller.signal;
}

test('addresses: one family failing is tolerated when the other answers, and is DNS_FAILED when it has none', async () => {
  // A timeout the answered family meets even on a loaded machine (the silent one waits it out each time).
  const dns = createDnsClient({ servers: [server.address], timeoutMs: 1000, tries: 1 });
  assert.deepEqual(await dns.resolveAddresses('v4-lost.test'), [{ address: '2001:db8::2', family: 6 }]);
  assert.deepEqual(await dns.resolveAddresses('v6-lost.test'), [{ address: '127.0.0.7', family: 4 }]);
  // Not [] (which the fetcher reports as "no A or AAAA record"): the missing answer may have held an address.
  for (const name of ['v4-lost-v6-empty.test', 'v6-lost-v4-empty.test', 'silent.test']) {
    await assert.rejects(dns.resolveAddresses(name), (e) => isNetError(e, 'DNS_FAILED') && /ETIMEOUT/.test(e.message));
  }
});

test('a signal already aborted: DEADLINE_EXCEEDED without a query sent', async () => {
  const dns = createDnsClient({ servers: [server.address] });
  const aborted = (e: unknown) => isNetError(e, 'DEADLINE_EXCEEDED');
  await assert.rejects(dns.resolveTxt('aborted.test', AbortSignal.abort()), aborted);
  await assert.rejects(dns.resolveAddresses('aborted.test', AbortSignal.abort()), aborted);
  assert.equal(server.count('aborted.test'), 0);
});

test('VOUCH_DNS_SERVERS syntax: ip, ip:port, IPv6 and [IPv6]:port; anything else is refused', () => {
  assert.deepEqual(parseDnsServers('127.0.0.1:5353, [::1]:53, 1.1.1.1 ,::1'), [
    '127.0.0.1:5353',
    '[::1]:53',
    '1.1.1.1',
    '::1',
  ]);
  assert.deepEqual(parseDnsServers(''), []);
  for (const bad of ['dns.google', '1.1.1.1:0', '1.1.1.1:70000', '[1.1.1.1]:53', '::1:53:x', '1.1.1', 'fe80::1%eth0']) {
    assert.throws(() => parseDnsServers(bad), Error, bad);
  }
});
