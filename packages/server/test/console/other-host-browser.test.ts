// The pages opened at another address than VOUCH_PUBLIC_URL's (an SSH tunnel, a server on 0.0.0.0 with the default
// public URL, 127.0.0.1 against localhost), in headless Chromium: each loads its stylesheet (and the signature page
// its script), the navigation stays on the address the page was opened at, and the token inspector's form submits.
// Before, the layout named them with full URLs under VOUCH_PUBLIC_URL, which the pages' CSP (`default-src 'self'`,
// `form-action 'self'`) refused on any other origin: unstyled pages and an inspector that did nothing.
// Here the public URL names `localhost` and the pages are opened at `127.0.0.1` (both loopback; the browser never
// has to resolve a name), on the same port.
import assert from 'node:assert/strict';
import type * as Playwright from 'playwright-core';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { startOnFreePort } from '../helpers/net.ts';
import { chromiumMissing, launchChromium } from '../../../sdk/test/browser.ts';
import { recordSigned, registerPow } from '../signatures/helpers.ts';

/** The stylesheet's body background (`#f6f7f9`) as the browser computes it: the stylesheet was applied. */
const STYLED_BACKGROUND = 'rgb(246, 247, 249)';

async function background(page: Playwright.Page): Promise<string> {
  return (await page.evaluate('getComputedStyle(document.body).backgroundColor')) as string;
}

eachEngine(
  'in headless Chromium: pages opened at another host than VOUCH_PUBLIC_URL load their assets and submit forms',
  async ({ open, t }) => {
    const missing = chromiumMissing();
    if (missing) return t.skip(missing);
    const storage = await open();
    const { app, clock, origin, publicUrl } = await startOnFreePort(async (port) => {
      const publicUrl = `http://localhost:${port}`;
      const made = await makeApp(storage, { env: { VOUCH_POW_DIFFICULTY: '0', VOUCH_PUBLIC_URL: publicUrl } });
      try {
        await made.app.listen({ host: '127.0.0.1', port });
      } catch (err) {
        await made.app.close();
        throw err;
      }
      return { ...made, origin: `http://127.0.0.1:${port}`, publicUrl };
    });
    const browser = await launchChromium();
    try {
      const agent = await registerPow(app, { label: 'tunnelled', difficulty: 0 });
      const { signatureHash } = await recordSigned(app, agent, 'content', clock.now());

      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${page.url()}: ${m.text()}`);
      });
      page.on('request', (r) => requests.push(r.url()));

      for (const path of ['/', '/registry', '/tokens/inspect', `/agents/${agent.did}`, `/verify/${agent.did}`]) {
        assert.equal((await page.goto(`${origin}${path}`, { waitUntil: 'load' }))?.status(), 200, path);
        assert.equal(await background(page), STYLED_BACKGROUND, `${path}: the stylesheet applies`);
      }
      assert.equal((await page.goto(`${origin}/verify/${signatureHash}`, { waitUntil: 'load' }))?.status(), 200);
      assert.equal(await background(page), STYLED_BACKGROUND, 'the signature page: the stylesheet applies');
      assert.ok(requests.includes(`${origin}/assets/certify.js`), 'the signature page loads its script from here');

      // The console's navigation stays at the address the page was opened at.
      await page.goto(`${origin}/`, { waitUntil: 'load' });
      await Promise.all([page.waitForURL(`${origin}/registry`), page.click('nav.site a[href$="/registry"]')]);
      assert.equal(await background(page), STYLED_BACKGROUND, 'the registry page, reached from the navigation');

      // The token inspector's form posts back to this address: something that is no token gets the answer.
      await page.goto(`${origin}/tokens/inspect`, { waitUntil: 'load' });
      await page.fill('#token', 'not-a-token');
      // Playwright's own default wait: a Chromium on a loaded machine can take seconds to submit and render, and a form
      // the page refuses to submit (its CSP) never answers, however long the wait.
      const posted = page.waitForResponse((r) => r.request().method() === 'POST', { timeout: 30_000 });
      await page.click('#inspect-button');
      const answer = await posted.catch(() => undefined);
      assert.ok(answer !== undefined, `the form was submitted (${problems.join('; ')})`);
      assert.equal(answer.url(), `${origin}/tokens/inspect`);
      await page.waitForSelector('#token-verdict');
      assert.equal(await page.textContent('#token-verdict'), 'not a token');
      assert.equal(await background(page), STYLED_BACKGROUND, "the inspector's answer: the stylesheet applies");

      // The inspector answers what is no token with a 400 (its page), which the browser reports.
      const inspector400 = `${origin}/tokens/inspect: Failed to load resource: the server responded with a status of 400`;
      assert.deepEqual(
        problems.filter((p) => !p.startsWith(inspector400)),
        [],
        'no console error or warning (a CSP refusal is one)',
      );
      assert.ok(
        requests.every((u) => u.startsWith(`${origin}/`)),
        `every request went to the address the pages were opened at, none to ${publicUrl}`,
      );
    } finally {
      await browser.close();
      await app.close();
    }
  },
  { timeout: 120_000 },
);
