// The meta-tag domain proof's head scan against a real browser's parser: each page of meta-head-pages.ts is served
// by a loopback HTTP server to headless Chromium, and the vouch-verify tags Chromium puts in `document.head` are the
// ones the scan reads. The scan is stricter in one place only, tested in meta-head-scan.test.ts too: a head element
// written after `</head>`, which a browser still moves into the head.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metaContents } from '../../src/modules/agents/domain/index.ts';
import { chromiumMissing, launchChromium } from '../../../sdk/test/browser.ts';
import { hidden, inTheBody, inTheHead } from './meta-head-pages.ts';

const TAG = '<meta name="vouch-verify" content="the-token">';

test('the head scan finds the vouch-verify tags Chromium puts in the head, and only those', async (t) => {
  const missing = chromiumMissing();
  if (missing) return t.skip(missing);
  let served = '';
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(served);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    // Pages may name scripts, styles and images: only the page itself is fetched.
    await page.route('**/*', (route) =>
      route.request().url() === url ? route.continue() : route.fulfill({ status: 404, body: '' }),
    );
    for (const html of [...inTheBody(TAG), ...hidden(TAG), ...inTheHead(TAG)]) {
      served = html;
      await page.goto(url);
      const inHead = await page.evaluate(
        `[...document.head.querySelectorAll('meta[name="vouch-verify"]')].map((m) => m.getAttribute('content'))`,
      );
      assert.deepEqual(metaContents(html, 'vouch-verify'), inHead, html);
    }
  } finally {
    await browser.close();
    server.close();
  }
});
