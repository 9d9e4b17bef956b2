/**
 * Gaps found by mutation testing, in the domain checks themselves (no database: the checker is called directly,
 * against a real DNS server on 127.0.0.1 and a real HTTPS server on 127.0.0.2 with a throwaway CA):
 * - a redirect may stay on the domain or go to a subdomain, but never to a name that merely ENDS with the domain's
 *   text (`evilexample.test` is not under `example.test`): whoever owns such a name could prove the domain;
 * - the file must hold exactly the token, not merely contain it (a page that echoes a query or user content would);
 * - a TXT record must be exactly the token, not merely contain it;
 * - so must the meta tag's content (a page that echoes a search into its head's meta tags would otherwise prove it);
 * - within a round, the method earlier in DOMAIN_METHODS wins (the meta tag over the file).
 * - a check that fails other than by a network error is that method's `CHECK_FAILED` with a fixed sentence, and is told
 *   to `onUnexpected` (no test reached it: throwing instead, a 500, or answering the error's text passed them all).
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

const SITE = '127.0.0.2';
const TOKEN = '0123456789abcdef0123456789abcdef0123456789abcdef';

let dns: TestDnsServer;
let pki: TestPki;
let https: TestHttpsServer;
let checker: DomainChecker;
const calls: ConnectTarget[] = [];
const sites = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();

before(async () => {
  dns = await TestDnsServer.start();
  pki = await makeTestPki(['*.mutgap.test', '*.shop.mutgap.test']);
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

test('a redirect to a name that only ends with the domain text is off the domain', async () => {
  // `shop.mutgap.test` is the domain; `evilshop.mutgap.test` ends with its text but is another name.
  dns.zone.set('shop.mutgap.test', { A: [SITE] });
  dns.zone.set('evilshop.mutgap.test', { A: [SITE] });
  sites.set('shop.mutgap.test', (req, res) => {
    res.writeHead(302, { location: `https://evilshop.mutgap.test${req.url}` }).end();
  });
  sites.set('evilshop.mutgap.test', (req, res) => {
    if (req.url === '/.well-known/vouch-verify.txt') return void res.end(TOKEN);
    res.end(`<head><meta name="vouch-verify" content="${TOKEN}"></head>`);
  });
  const outcome = await checker.check('shop.mutgap.test', TOKEN);
  assert.equal(outcome.verified, false, JSON.stringify(outcome));
  assert.ok(!outcome.verified);
  assert.equal(outcome.errors.meta_tag?.code, 'REDIRECT_OFF_DOMAIN');
  assert.equal(outcome.errors.file?.code, 'REDIRECT_OFF_DOMAIN');
  assert.ok(!calls.some((c) => c.hostname === 'evilshop.mutgap.test'), 'the redirect was refused, not followed');

  // A real subdomain is on the domain.
  dns.zone.set('www.shop.mutgap.test', { A: [SITE] });
  sites.set('shop.mutgap.test', (req, res) => {
    res.writeHead(302, { location: `https://www.shop.mutgap.test${req.url}` }).end();
  });
  sites.set('www.shop.mutgap.test', (req, res) => {
    if (req.url === '/.well-known/vouch-verify.txt') return void res.end(TOKEN);
    res.writeHead(404).end();
  });
  assert.deepEqual(await checker.check('shop.mutgap.test', TOKEN), { verified: true, method: 'file' });
});

test('the file and the TXT record must be exactly the token, not text that contains it', async () => {
  dns.zone.set('echo.mutgap.test', { A: [SITE] });
  dns.zone.set('_vouch-verify.echo.mutgap.test', { TXT: [`prefix ${TOKEN} suffix`] });
  sites.set('echo.mutgap.test', (req, res) => {
    if (req.url === '/.well-known/vouch-verify.txt') return void res.end(`You searched for: ${TOKEN}`);
    res.writeHead(404).end();
  });
  const outcome = await checker.check('echo.mutgap.test', TOKEN);
  assert.equal(outcome.verified, false, JSON.stringify(outcome));
  assert.ok(!outcome.verified);
  assert.equal(outcome.errors.dns_txt?.code, 'TOKEN_MISMATCH');
  assert.equal(outcome.errors.file?.code, 'TOKEN_MISMATCH');

  // Surrounding whitespace is fine (a trailing newline is usual in a file).
  dns.zone.set('_vouch-verify.echo.mutgap.test', { TXT: [` ${TOKEN} `] });
  assert.deepEqual(await checker.check('echo.mutgap.test', TOKEN), { verified: true, method: 'dns_txt' });
  dns.zone.delete('_vouch-verify.echo.mutgap.test');
  sites.set('echo.mutgap.test', (req, res) => {
    if (req.url === '/.well-known/vouch-verify.txt') return void res.end(`${TOKEN}\n`);
    res.writeHead(404).end();
  });
  assert.deepEqual(await checker.check('echo.mutgap.test', TOKEN), { verified: true, method: 'file' });
});

test("the meta tag's content must be exactly the token, not text that contains it", async () => {
  // Caught the mutation of check.ts's `values.includes(token)` into `values.some((v) => v.includes(token))`.
  dns.zone.set('metaecho.mutgap.test', { A: [SITE] });
  let content = `You searched for: ${TOKEN}`;
  sites.set('metaecho.mutgap.test', (req, res) => {
    if (req.url === '/.well-known/vouch-verify.txt') return void res.writeHead(404).end();
    res.end(`<head><meta name="vouch-verify" content="${content}"></head>`);
  });
  const outcome = await checker.check('metaecho.mutgap.test', TOKEN);
  assert.equal(outcome.verified, false, JSON.stringify(outcome));
  assert.ok(!outcome.verified);
  assert.equal(outcome.errors.meta_tag?.code, 'TOKEN_MISMATCH');
  content = `${TOKEN}-and-more`;
  const longer = await checker.check('metaecho.mutgap.test', TOKEN);
  assert.ok(!longer.verified && longer.errors.meta_tag?.code === 'TOKEN_MISMATCH', JSON.stringify(longer));

  // Surrounding whitespace is fine, as in the file and the TXT record.
  content = ` ${TOKEN} `;
  assert.deepEqual(await checker.check('metaecho.mutgap.test', TOKEN), { verified: true, method: 'meta_tag' });
});

test('a page or file holding the token proves nothing unless answered with 200: not 203, 206 or a 3xx without Location', async () => {
  // Caught the mutation of check.ts's `res.status !== 200` into `res.status >= 400`.
  dns.zone.set('status.mutgap.test', { A: [SITE] });
  for (const status of [203, 206, 300, 304]) {
    sites.set('status.mutgap.test', (req, res) => {
      res.writeHead(status);
      if (status === 304) return void res.end();
      if (req.url === '/.well-known/vouch-verify.txt') return void res.end(TOKEN);
      res.end(`<head><meta name="vouch-verify" content="${TOKEN}"></head>`);
    });
    const outcome = await checker.check('status.mutgap.test', TOKEN);
    assert.ok(!outcome.verified, `${status}: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.errors.meta_tag?.code, 'HTTP_STATUS', String(status));
    assert.equal(outcome.errors.file?.code, 'HTTP_STATUS', String(status));
    assert.match(outcome.errors.file?.error ?? '', new RegExp(`answered HTTP ${status}, not 200`));
  }
});

test('within a round, the method earlier in DOMAIN_METHODS wins: the meta tag over the file', async () => {
  // No TXT record: the first round (DNS TXT) fails, and the meta tag and the file both hold the token in the second.
  dns.zone.set('both.mutgap.test', { A: [SITE] });
  sites.set('both.mutgap.test', (req, res) => {
    if (req.url === '/.well-known/vouch-verify.txt') return void res.end(TOKEN);
    res.end(`<head><meta name="vouch-verify" content="${TOKEN}"></head>`);
  });
  assert.deepEqual(await checker.check('both.mutgap.test', TOKEN), { verified: true, method: 'meta_tag' });
  // A re-check that starts from the file finds it there, in its own first round.
  assert.deepEqual(await checker.check('both.mutgap.test', TOKEN, undefined, 'file'), {
    verified: true,
    method: 'file',
  });
});

test("an unexpected failure is the method's CHECK_FAILED, told to onUnexpected, never its text", async () => {
  // A DNS client that fails as no network error does (a bug, a resolver that throws a TypeError): every method.
  const broken = createDomainChecker(
    loadConfig({ VOUCH_DATA_DIR: '/nonexistent-test-dir', VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES: SITE }),
    {
      dns: {
        resolveTxt: () => Promise.reject(new Error(`resolver broke on ${TOKEN}`)),
        resolveAddresses: () => Promise.reject(new TypeError(`resolver broke on ${TOKEN}`)),
      },
      connect: https.connector(pki.caPem, calls),
    },
  );
  const told: unknown[] = [];
  const outcome = await broken.check('broken.mutgap.test', TOKEN, (err) => told.push(err));
  assert.ok(!outcome.verified, JSON.stringify(outcome));
  const failed = { code: 'CHECK_FAILED', error: 'The check failed unexpectedly.' };
  assert.deepEqual(outcome.errors, { dns_txt: failed, meta_tag: failed, file: failed });
  assert.equal(told.length, 3, 'each unexpected failure is told, once');
  assert.ok(!JSON.stringify(outcome).includes(TOKEN), 'the answer carries no error text');
});
