// The web console in a real headless Chromium (Debian's, through playwright-core) against a real listening server
// seeded through its HTTP API: every page loads with no console error and no request elsewhere, an agent named
// with a script runs nothing, the token inspector works with JavaScript off, and — when the signatures module
// serves its page — the certify flow says match and mismatch. Screenshots go to test-results/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type * as Playwright from 'playwright-core';
import { loadConfig } from '../../src/config.ts';
import { ManualClock } from '../../src/clock.ts';
import { startServer } from '../../src/start.ts';
import { serverEnv, T0 } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { fetchCall, seedConsole, signContent, XSS_ISSUER, XSS_NAME } from './seed.ts';
import { startOnFreePort } from '../helpers/net.ts';
import { chromiumMissing, launchChromium } from '../../../sdk/test/browser.ts';
import { COUNTS_MAX_AGE_MS } from '../../src/modules/console/overview.ts';

const RESULTS = fileURLToPath(new URL('../../../../test-results/', import.meta.url));
const SIGNED_TEXT = 'The quarterly report, signed by its agent.\n';

/** A page that records console errors, uncaught exceptions, dialogs and every URL it requests. */
async function watchedPage(context: Playwright.BrowserContext) {
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => requests.push(r.url()));
  return { page, problems, requests };
}

eachEngine(
  'the web console in headless Chromium: no console errors, no script from data, inspector and certify flows',
  async ({ engine, options, t }) => {
    const missing = chromiumMissing();
    if (missing) return t.skip(missing);
    await mkdir(RESULTS, { recursive: true });
    const clock = new ManualClock(T0);
    // The public URL names the port: chosen before the start, and again if it was taken meanwhile.
    const { server, origin } = await startOnFreePort(async (port) => {
      const origin = `http://127.0.0.1:${port}`;
      const config = loadConfig({
        ...serverEnv(engine, options),
        VOUCH_HOST: '127.0.0.1',
        VOUCH_PORT: String(port),
        VOUCH_PUBLIC_URL: origin,
        VOUCH_POW_DIFFICULTY: '0',
      });
      return { server: await startServer(config, { clock }), origin };
    });
    const browser = await launchChromium();
    const shot = (page: Playwright.Page, name: string) =>
      page.screenshot({ path: `${RESULTS}console-${name}-${engine}.png`, fullPage: true });
    try {
      const call = fetchCall(origin);
      const seeded = await seedConsole(call, clock.now());
      const context = await browser.newContext();
      const { page, problems, requests } = await watchedPage(context);

      const visit = async (path: string, name: string, status = 200): Promise<void> => {
        const res = await page.goto(`${origin}${path}`, { waitUntil: 'load' });
        assert.equal(res?.status(), status, path);
        assert.match((await res!.headerValue('content-security-policy')) ?? '', /default-src 'self'/);
        await shot(page, name);
      };

      await visit('/', 'overview');
      assert.equal(await page.textContent('#count-agents'), '2');
      assert.equal(await page.textContent('#registry-sequence'), '3');
      assert.equal(await page.textContent('#registry-threshold'), '2 of 3');
      assert.ok(((await page.textContent('#registry-issuers')) ?? '').includes(XSS_ISSUER), 'issuer name as text');

      await visit('/registry', 'registry');
      assert.equal(await page.textContent('#registry-verdict'), 'valid');
      assert.equal(await page.textContent('#issuer-delta .signed-by'), 'signed by 2/2');
      assert.match((await page.textContent('#registry-revoked')) ?? '', /charlie[\s\S]*left <the> consortium/);

      for (const [path, name] of [
        [`/agents/${seeded.xss.did}`, 'agent'],
        [`/verify/${seeded.xss.slug}`, 'verify-agent'],
      ] as const) {
        await visit(path, name);
        assert.equal(await page.textContent('#agent-name'), XSS_NAME, 'the name is shown as text');
        assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined', 'the name ran no script');
        assert.equal(await page.evaluate('document.scripts.length'), 0);
      }
      await visit('/agents/did:identity:aaaaaaaaaaaaaaaaaaaaaaaaaa', 'agent-not-found', 404);
      assert.equal(await page.textContent('#error-message'), 'No agent has this DID.');
      problems.splice(0, problems.length, ...problems.filter((p) => !/404 \(Not Found\)/.test(p)));

      // The token inspector, with JavaScript off: a plain form POST, the token never in a URL.
      const noScript = await browser.newContext({ javaScriptEnabled: false });
      const bare = await watchedPage(noScript);
      const inspect = async (token: string, name: string): Promise<void> => {
        await bare.page.goto(`${origin}/tokens/inspect`, { waitUntil: 'load' });
        await bare.page.fill('#token', token);
        await Promise.all([bare.page.waitForURL(`${origin}/tokens/inspect`), bare.page.click('#inspect-button')]);
        await bare.page.waitForSelector('#token-verdict');
        await shot(bare.page, name);
      };
      await inspect(seeded.token, 'token-valid');
      assert.equal(await bare.page.textContent('#token-verdict'), 'valid');
      assert.match((await bare.page.textContent('#token-claims')) ?? '', new RegExp(`"sub": "${seeded.signer.did}"`));
      assert.match((await bare.page.textContent('#token-header')) ?? '', /"alg": "ES256"/);
      // Pasted from a wrapped terminal: line breaks and spaces inside the token are no part of it.
      await inspect(seeded.token.replace(/.{1,60}/g, '$&\n  '), 'token-wrapped');
      assert.equal(await bare.page.textContent('#token-verdict'), 'valid');
      assert.match((await bare.page.textContent('#token-claims')) ?? '', new RegExp(`"sub": "${seeded.signer.did}"`));
      await inspect(`${seeded.token.slice(0, -4)}AAAA`, 'token-invalid');
      assert.equal(await bare.page.textContent('#token-verdict'), 'invalid');
      assert.equal(await bare.page.textContent('#token-code'), 'JWT_SIGNATURE_INVALID');
      assert.ok(
        bare.requests.every((u) => !u.includes(seeded.token.slice(-20))),
        'the token never appears in a URL',
      );
      assert.deepEqual(bare.problems, []);
      await noScript.close();

      // The signature page (signatures module): certify a text and a file in the browser.
      const signed = await signContent(call, seeded.signer, SIGNED_TEXT, clock.now());
      if (signed.status === 404) {
        t.diagnostic('POST /api/v1/signatures/sign is not served: certify flow not checked');
      } else {
        assert.equal(signed.status, 201);
        await visit(`/verify/${signed.signatureHash!}`, 'signature');
        const certify = async (expected: 'match' | 'mismatch'): Promise<void> => {
          // Through CDP, not a page-side eval (the CSP forbids eval, so no waitForFunction).
          await page.evaluate("document.getElementById('certify-result').className = ''");
          await page.click('#certify-button');
          await page.locator('#certify-result.status, #certify-result.error').waitFor();
          assert.equal(await page.textContent('#certify-result'), expected);
        };
        await page.fill('#certify-text', SIGNED_TEXT);
        await certify('match');
        await shot(page, 'signature-match');
        await page.fill('#certify-text', `${SIGNED_TEXT}!`);
        await certify('mismatch');
        await shot(page, 'signature-mismatch');
        // A file takes precedence over the text box.
        const file = (content: string) => ({
          name: 'report.txt',
          mimeType: 'text/plain',
          buffer: Buffer.from(content),
        });
        await page.setInputFiles('#certify-file', file(SIGNED_TEXT));
        await certify('match');
        await page.setInputFiles('#certify-file', file('another report'));
        await certify('mismatch');
        clock.advance(COUNTS_MAX_AGE_MS); // the overview's counts are reused for that long
        await visit('/', 'overview-after-signing');
        assert.equal(await page.textContent('#count-signatures'), '1');
      }

      assert.deepEqual(problems, [], 'no console error, exception or dialog on any page');
      assert.ok(
        requests.every((u) => u.startsWith(`${origin}/`)),
        `only this server was asked: ${requests.filter((u) => !u.startsWith(origin)).join(', ')}`,
      );
      await context.close();
    } finally {
      await browser.close();
      await server.close();
    }
  },
  { timeout: 300_000 },
);
