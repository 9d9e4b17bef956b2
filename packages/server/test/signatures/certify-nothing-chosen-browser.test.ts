// The signature page's Check button with no file chosen and no text pasted: before, the page hashed nothing, sent
// the empty content's hash to certify and said "mismatch", as if the reader's copy differed from what was signed.
// Now it asks for a file or the text and sends nothing; once text is pasted, the check runs as before.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { listeningApp } from '../helpers/app.ts';
import { recordSigned, registerPow, SIG_ENV } from './helpers.ts';
import { chromiumMissing, launchChromium } from '../../../sdk/test/browser.ts';

eachEngine(
  'in headless Chromium: Check with nothing chosen asks for the content and sends nothing',
  async ({ open, t }) => {
    const missing = chromiumMissing();
    if (missing) return t.skip(missing);
    const storage = await open();
    const { app, clock, origin } = await listeningApp(storage, SIG_ENV);
    const browser = await launchChromium();
    try {
      const agent = await registerPow(app, { label: 'Signer' });
      const content = 'Signed content.\n';
      const { signatureHash } = await recordSigned(app, agent, content, clock.now());
      const page = await browser.newPage();
      const certifyCalls: string[] = [];
      const errors: string[] = [];
      page.on('request', (r) => {
        if (r.url().endsWith('/api/v1/signatures/certify')) certifyCalls.push(r.postData() ?? '');
      });
      page.on('pageerror', (e) => errors.push(e.message));
      assert.equal((await page.goto(`${origin}/verify/${signatureHash}`, { waitUntil: 'load' }))?.status(), 200);

      await page.click('#certify-button');
      await page.locator('#certify-result.error, #certify-result.status').waitFor();
      assert.equal(await page.getAttribute('#certify-result', 'class'), 'error');
      assert.equal(await page.textContent('#certify-result'), 'Choose the file or paste the text first.');
      assert.deepEqual(certifyCalls, [], 'nothing was sent');
      assert.equal(await page.isEnabled('#certify-button'), true);

      await page.fill('#certify-text', content);
      await page.click('#certify-button');
      await page.locator('#certify-result', { hasText: /^(match|mismatch)$/ }).waitFor();
      assert.equal(await page.textContent('#certify-result'), 'match');
      assert.equal(certifyCalls.length, 1);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await app.close();
    }
  },
  { timeout: 120_000 },
);
