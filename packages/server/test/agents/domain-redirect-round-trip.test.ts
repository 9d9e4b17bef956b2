/**
 * Review: a web check's redirects may stay on the domain or go to its subdomains, never off it (PROTOCOL.md,
 * `REDIRECT_OFF_DOMAIN`: "a redirect left the domain"). Only the URL that finally answered was checked, so a chain
 * that left the domain and came back was accepted: the off-domain hop chose which page of the domain proved it (an
 * upload, a page that echoes its path), though the domain's owner never sent anyone there. Every hop is checked now.
 * Real DNS server on 127.0.0.1 and HTTPS server on 127.0.0.46 with a throwaway CA; the checker is called directly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadConfig } from '../../src/config.ts';
import type { ConnectTarget } from '../../src/net/index.ts';
import { createDomainChecker } from '../../src/modules/agents/domain/check.ts';
import type { DomainChecker } from '../../src/modules/agents/domain/check.ts';
import { TestDnsServer } from '../net/fixtures/dns-server.ts';
import { TestHttpsServer } from '../net/fixtures/https-server.ts';
import { makeTestPki } from '../net/fixtures/pki.ts';
import type { TestPki } from '../net/fixtures/pki.ts';

const SITE = '127.0.0.46';
const TOKEN = 'fedcba9876543210fedcba9876543210fedcba9876543210';

let dns: TestDnsServer;
let pki: TestPki;
let https: TestHttpsServer;
let checker: DomainChecker;
const calls: ConnectTarget[] = [];
const sites = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();

before(async () => {
  dns = await TestDnsServer.start();
  pki = await makeTestPki(['*.roundtrip.test', '*.shop.roundtrip.test']);
  https = await TestHttpsServer.start(SITE, pki);
  https.handler = (req, res) => {
    const site = sites.get((req.headers.host ?? '').toLowerCase());
    if (site) return site(req, res);
    res.statusCode = 404;
    res.end();
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

test('a redirect chain that leaves the domain and comes back proves nothing', async () => {
  dns.zone.set('shop.roundtrip.test', { A: [SITE] });
  dns.zone.set('other.roundtrip.test', { A: [SITE] });
  // The domain sends its well-known file and home page elsewhere (a hosting provider, a former owner's site)...
  sites.set('shop.roundtrip.test', (req, res) => {
    if (req.url === '/uploads/note.txt') return void res.end(TOKEN);
    if (req.url === '/uploads/page.html') {
      return void res.end(`<head><meta name="vouch-verify" content="${TOKEN}"></head>`);
    }
    res.writeHead(302, { location: `https://other.roundtrip.test${req.url}` }).end();
  });
  // ...and whoever runs that site sends the check back to a page of the domain that holds what a visitor uploaded.
  sites.set('other.roundtrip.test', (req, res) => {
    const back = req.url === '/' ? '/uploads/page.html' : '/uploads/note.txt';
    res.writeHead(302, { location: `https://shop.roundtrip.test${back}` }).end();
  });
  const outcome = await checker.check('shop.roundtrip.test', TOKEN);
  assert.equal(outcome.verified, false, JSON.stringify(outcome));
  assert.ok(!outcome.verified);
  assert.equal(outcome.errors.file?.code, 'REDIRECT_OFF_DOMAIN');
  assert.equal(outcome.errors.meta_tag?.code, 'REDIRECT_OFF_DOMAIN');

  // Redirects that stay on the domain and its subdomains still prove it.
  dns.zone.set('www.shop.roundtrip.test', { A: [SITE] });
  sites.set('shop.roundtrip.test', (req, res) => {
    if (req.url === '/uploads/note.txt') return void res.end(TOKEN);
    res.writeHead(302, { location: `https://www.shop.roundtrip.test${req.url}` }).end();
  });
  sites.set('www.shop.roundtrip.test', (_req, res) => {
    res.writeHead(302, { location: 'https://shop.roundtrip.test/uploads/note.txt' }).end();
  });
  assert.deepEqual(await checker.check('shop.roundtrip.test', TOKEN), { verified: true, method: 'file' });
});
