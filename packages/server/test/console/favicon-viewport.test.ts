// Two things every page view met: the browser's own request of /favicon.ico got a 404, which Chromium reports as a
// console error on every page (the console's, the verify pages, /docs), and /docs had no viewport meta tag, so a phone
// laid it out 980 px wide and shrank it. /favicon.ico is now an empty 204 that the browser may keep for a day, and
// /docs has the viewport tag of every other page.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { listeningApp, makeApp } from '../helpers/app.ts';
import { chromiumMissing, launchChromium } from '../../../sdk/test/browser.ts';

const ENV = { VOUCH_POW_DIFFICULTY: '0', VOUCH_PUBLIC_URL: 'https://vouch.test' };

eachEngine('/favicon.ico: an empty 204, cached, for GET and HEAD whatever the Accept', async ({ open }) => {
  const t = await makeApp(await open(), { env: ENV });
  try {
    for (const method of ['GET', 'HEAD'] as const) {
      for (const accept of [undefined, 'image/avif,image/webp,image/*,*/*;q=0.8', 'text/html']) {
        const res = await t.app.inject({
          method,
          url: '/favicon.ico',
          headers: accept === undefined ? {} : { accept },
        });
        assert.equal(res.statusCode, 204, `${method} ${accept}`);
        assert.equal(res.body, '');
        assert.equal(res.headers['cache-control'], 'public, max-age=86400');
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
      }
    }
  } finally {
    await t.app.close();
  }
});

eachEngine('/docs names the viewport, as every other page does', async ({ open }) => {
  const t = await makeApp(await open(), { env: ENV });
  try {
    const res = await t.app.inject({ method: 'GET', url: '/docs', headers: { accept: 'text/html' } });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  } finally {
    await t.app.close();
  }
});

eachEngine(
  'in headless Chromium on a phone: no page view logs an error (the favicon), /docs is laid out at the phone width',
  async ({ open, t }) => {
    const missing = chromiumMissing();
    if (missing) return t.skip(missing);
    const { app, origin } = await listeningApp(await open(), ENV);
    const browser = await launchChromium();
    try {
      // A phone's context honours the viewport tag: without one, a page is laid out 980 px wide.
      const context = await browser.newContext({ viewport: { width: 375, height: 800 }, isMobile: true });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${page.url()}: ${m.text()}`);
      });
      for (const path of ['/docs', '/', '/registry', '/tokens/inspect']) {
        assert.equal((await page.goto(`${origin}${path}`, { waitUntil: 'load' }))?.status(), 200, path);
        assert.equal(await page.evaluate('window.innerWidth'), 375, `${path}: laid out at the phone's width`);
      }
      assert.deepEqual(problems, [], 'no console error or warning');
      await context.close();
    } finally {
      await browser.close();
      await app.close();
    }
  },
  { timeout: 120_000 },
);
