/**
 * The meta-tag domain proof counts a tag only where a browser's parser puts it in the head: before the first element
 * that belongs in the body (a `<div>`, a `<p>`, an `<img>`…) and before the first text that is not whitespace, both
 * of which end the head; not inside a comment, a script (also after `<!--<script>` in it, where `</script>` does not
 * end it), a style, a title or a template's content. A scan that read on until `</head>` or `<body>` counted tags a
 * browser puts in the body, where sites put what visitors write. Checked through the domain checker against a real
 * HTTPS server on 127.0.0.2 (throwaway CA) and a real DNS server on 127.0.0.1.
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
import { hidden, inTheBody, inTheHead } from './meta-head-pages.ts';

const SITE = '127.0.0.2';
const DOMAIN = 'page.headscan.test';
const TOKEN = 'fedcba9876543210fedcba9876543210fedcba9876543210';
const TAG = `<meta name="vouch-verify" content="${TOKEN}">`;

let dns: TestDnsServer;
let pki: TestPki;
let https: TestHttpsServer;
let checker: DomainChecker;
/** What https://page.headscan.test/ answers. */
let home = '';

before(async () => {
  dns = await TestDnsServer.start();
  pki = await makeTestPki(['*.headscan.test']);
  https = await TestHttpsServer.start(SITE, pki);
  https.handler = (req, res) => {
    if (req.url !== '/') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(home);
  };
  dns.zone.set(DOMAIN, { A: [SITE] });
  const config = loadConfig({
    VOUCH_DATA_DIR: '/nonexistent-test-dir',
    VOUCH_DNS_SERVERS: dns.address,
    VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES: SITE,
  });
  const calls: ConnectTarget[] = [];
  checker = createDomainChecker(config, { connect: https.connector(pki.caPem, calls) });
});
after(async () => {
  await https.close();
  await dns.close();
  await pki.cleanup();
});

/** The meta-tag method's verdict on `page`: `true` when it proves the domain, else its failure code. */
async function metaVerdict(page: string): Promise<true | string> {
  home = page;
  const outcome = await checker.check(DOMAIN, TOKEN);
  if (outcome.verified) {
    assert.equal(outcome.method, 'meta_tag');
    return true;
  }
  return outcome.errors.meta_tag!.code;
}

test('a tag after an element or text that ends the head proves nothing', async () => {
  for (const page of inTheBody(TAG)) assert.equal(await metaVerdict(page), 'META_TAG_MISSING', page);
});

test('a tag inside a script after `<!--<script>`, or inside a template, is no tag', async () => {
  for (const page of hidden(TAG)) assert.equal(await metaVerdict(page), 'META_TAG_MISSING', page);
});

test('a tag in a head a browser keeps proves the domain', async () => {
  for (const page of inTheHead(TAG)) assert.equal(await metaVerdict(page), true, page);
});
