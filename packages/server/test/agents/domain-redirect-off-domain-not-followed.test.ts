/**
 * Review: a web check's redirect off the domain is `REDIRECT_OFF_DOMAIN` (PROTOCOL.md), but the fetch followed it
 * first and judged the chain afterwards: the host the domain pointed to was resolved, connected to and asked for the
 * page (requests sent to third parties on a domain owner's say), and when that host failed the owner was told
 * `TLS_FAILED`, `ADDRESS_REFUSED` or `DEADLINE_EXCEEDED` about a host that is not their domain. A redirect off the
 * domain now ends the check before anything is sent to its target. Real DNS server on 127.0.0.1 and HTTPS server on
 * 127.0.0.47 (throwaway CA for *.offdomain.test and *.shop.offdomain.test only); the connector records every connection it is asked for.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';
import type { ConnectTarget } from '../../src/net/index.ts';
import { createDomainChecker } from '../../src/modules/agents/domain/check.ts';
import type { DomainChecker } from '../../src/modules/agents/domain/check.ts';
import { TestDnsServer } from '../net/fixtures/dns-server.ts';
import { TestHttpsServer } from '../net/fixtures/https-server.ts';
import { makeTestPki } from '../net/fixtures/pki.ts';
import type { TestPki } from '../net/fixtures/pki.ts';

const SITE = '127.0.0.47';
const TOKEN = '0123456789abcdef0123456789abcdef0123456789abcdef';

let dns: TestDnsServer;
let pki: TestPki;
let https: TestHttpsServer;
let checker: DomainChecker;
const calls: ConnectTarget[] = [];
let location = '';

before(async () => {
  dns = await TestDnsServer.start();
  pki = await makeTestPki(['*.offdomain.test', '*.shop.offdomain.test']);
  https = await TestHttpsServer.start(SITE, pki);
  https.handler = (req, res) => {
    if (req.headers.host === 'shop.offdomain.test') return void res.writeHead(302, { location }).end();
    res.end(TOKEN);
  };
  const config = loadConfig({
    VOUCH_DATA_DIR: '/nonexistent-test-dir',
    VOUCH_DNS_SERVERS: dns.address,
    VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES: SITE,
  });
  checker = createDomainChecker(config, { connect: https.connector(pki.caPem, calls) });
});
after(async () => {
  await https.close();
  await dns.close();
  await pki.cleanup();
});

test('a redirect off the domain is REDIRECT_OFF_DOMAIN, and its target is never connected to', async () => {
  dns.zone.set('shop.offdomain.test', { A: [SITE] });
  // Off the domain, at a public (test) address, serving a certificate that is not its own: followed, the check said
  // TLS_FAILED about a host that is not the domain.
  dns.zone.set('cdn.elsewhere.test', { A: [SITE] });
  // Off the domain, at a private address (never reached: refused or not followed, no packet leaves the machine).
  dns.zone.set('intranet.elsewhere.test', { A: ['10.1.2.3'] });
  for (const target of ['https://cdn.elsewhere.test', 'https://intranet.elsewhere.test', 'https://offdomain.test']) {
    location = `${target}/landing`;
    calls.length = 0;
    const outcome = await checker.check('shop.offdomain.test', TOKEN);
    assert.ok(!outcome.verified, JSON.stringify(outcome));
    assert.equal(outcome.errors.meta_tag?.code, 'REDIRECT_OFF_DOMAIN', `${target}: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.errors.file?.code, 'REDIRECT_OFF_DOMAIN', `${target}: ${JSON.stringify(outcome)}`);
    assert.deepEqual(
      calls.map((c) => c.hostname),
      ['shop.offdomain.test', 'shop.offdomain.test'],
      `${target}: only the domain itself is connected to`,
    );
  }
  const asked = (name: string) => dns.count(name, 'A') + dns.count(name, 'AAAA');
  assert.equal(asked('cdn.elsewhere.test') + asked('intranet.elsewhere.test') + asked('offdomain.test'), 0);
});

test('a redirect to a subdomain is still followed, and proves the domain', async () => {
  dns.zone.set('shop.offdomain.test', { A: [SITE] });
  dns.zone.set('www.shop.offdomain.test', { A: [SITE] });
  location = 'https://www.shop.offdomain.test/.well-known/vouch-verify.txt';
  calls.length = 0;
  const outcome = await checker.check('shop.offdomain.test', TOKEN);
  assert.deepEqual(outcome, { verified: true, method: 'file' });
  assert.ok(calls.some((c) => c.hostname === 'www.shop.offdomain.test'));
});

test('a redirect to the domain or a subdomain written with its trailing dot is on the domain', async () => {
  // Caught the mutation of check.ts's `next.hostname.replace(/\.$/, '')` into `next.hostname`: a site redirecting to
  // its fully qualified name (`www.example.com.`) could not prove its domain.
  dns.zone.set('shop.offdomain.test', { A: [SITE] });
  dns.zone.set('www.shop.offdomain.test', { A: [SITE] });
  for (const host of ['shop.offdomain.test.', 'www.shop.offdomain.test.', 'WWW.Shop.OffDomain.Test.']) {
    location = `https://${host}/.well-known/vouch-verify.txt`;
    assert.deepEqual(await checker.check('shop.offdomain.test', TOKEN), { verified: true, method: 'file' }, host);
  }
});
