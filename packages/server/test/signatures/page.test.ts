import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256HexSync } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { listeningApp, makeApp } from '../helpers/app.ts';
import { escapeHtml } from '../../src/modules/agents/verify-page.ts';
import { findSignature } from '../../src/modules/signatures/service.ts';
import { claimAgent, createOwner, recordSigned, registerPow, SIG_ENV } from './helpers.ts';
import { chromiumMissing, launchChromium } from '../../../sdk/test/browser.ts';

const XSS_NAME = '<script>alert(1)</script>';
const XSS_NOTE = '<img src=x onerror="window.__pwned=1">';
const XSS_OWNER = '"><svg onload=alert(3)>';

eachEngine(
  'signature page: every string escaped, the verify fields shown, one same-origin script',
  async ({ open }) => {
    const storage = await open();
    const { app, clock } = await makeApp(storage, { env: SIG_ENV });
    try {
      const agent = await registerPow(app, { label: XSS_NAME });
      const owner = await createOwner(app, 'acme', XSS_OWNER);
      await claimAgent(app, owner, agent.claimToken);
      const { signatureHash, body } = await recordSigned(app, agent, 'the content', clock.now(), XSS_NOTE);
      await app.inject({
        method: 'POST',
        url: '/api/v1/signatures/certify',
        payload: { signatureHash, contentHash: body.payloadHash },
      });

      const res = await app.inject({
        method: 'GET',
        url: `/verify/${signatureHash}`,
        headers: { accept: 'text/html' },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.headers['content-type'] as string, /^text\/html; charset=utf-8/);
      assert.match(res.headers['content-security-policy'] as string, /(^|; )default-src 'self'(;|$)/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      const html = res.body;
      // The one script is the same-origin certify script; nothing injected runs or renders.
      assert.deepEqual(
        [...html.matchAll(/<script[^>]*>/gi)].map((m) => m[0]),
        ['<script src="/assets/certify.js" defer>'],
      );
      assert.ok(!/<img|<svg/i.test(html), 'no injected element');
      assert.ok(!/<[^>]*\son[a-z]+\s*=/i.test(html), 'no event-handler attribute in any tag');
      for (const s of [XSS_NAME, XSS_NOTE, XSS_OWNER]) assert.ok(html.includes(escapeHtml(s)), s);
      for (const shown of [agent.did, body.payloadHash, signatureHash, body.signature, 'claimed']) {
        assert.ok(html.includes(shown), shown);
      }
      assert.match(html, /id="certification-count">1</);
      assert.match(html, /id="reputation-score">50</);
      assert.match(html, /id="total-signatures">1</);
      for (const id of ['certify-form', 'certify-file', 'certify-text', 'certify-button', 'certify-result']) {
        assert.match(html, new RegExp(`id="${id}"`), id);
      }
      assert.match(html, /<noscript>/, 'says what to do without JavaScript');
      assert.match(html, new RegExp(`data-signature-hash="${signatureHash}"`));

      // The DID or id in the same place is still the agent page; an unknown hash is 404.
      assert.equal((await app.inject({ method: 'GET', url: `/verify/${agent.id}` })).statusCode, 200);
      const unknown = await app.inject({
        method: 'GET',
        url: `/verify/${'d'.repeat(64)}`,
        headers: { accept: 'text/html' },
      });
      assert.equal(unknown.statusCode, 404);
      assert.ok(!/<script/i.test(unknown.body));
      const unknownJson = await app.inject({ method: 'GET', url: `/verify/${'d'.repeat(64)}` });
      assert.equal((unknownJson.json() as { code: string }).code, 'NOT_FOUND');

      const script = await app.inject({ method: 'GET', url: '/assets/certify.js' });
      assert.equal(script.statusCode, 200);
      assert.match(script.headers['content-type'] as string, /^text\/javascript/);
      assert.equal(script.headers['x-content-type-options'], 'nosniff');
      assert.match(script.body, /crypto\.subtle\.digest\('SHA-256'/);
    } finally {
      await app.close();
    }
  },
);

eachEngine(
  'in headless Chromium: the page certifies text and files (match, mismatch) and renders names as text',
  async ({ open, t }) => {
    const missing = chromiumMissing();
    if (missing) return t.skip(missing);
    const storage = await open();
    const { app, ctx, clock, origin } = await listeningApp(storage, SIG_ENV);
    const browser = await launchChromium();
    const dir = await mkdtemp(join(tmpdir(), 'vouch-certify-'));
    try {
      const agent = await registerPow(app, { label: XSS_NAME });
      const content = 'Signed content, with ünïcode.\n';
      const { signatureHash } = await recordSigned(app, agent, content, clock.now(), XSS_NOTE);
      const page = await browser.newPage();
      const dialogs: string[] = [];
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => errors.push(e.message));
      const response = await page.goto(`${origin}/verify/${signatureHash}`, { waitUntil: 'load' });
      assert.equal(response?.status(), 200);
      assert.equal(await page.textContent('#signature-title'), `Signed by ${XSS_NAME}`);
      assert.equal(await page.textContent('#public-note'), XSS_NOTE);
      assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');

      await page.fill('#certify-text', content);
      await page.click('#certify-button');
      await page.locator('#certify-result', { hasText: /^(match|mismatch)$/ }).waitFor();
      assert.equal(await page.textContent('#certify-result'), 'match');
      assert.equal(await page.textContent('#certification-count'), '1');

      await page.fill('#certify-text', content.trim());
      await page.click('#certify-button');
      await page.locator('#certify-result', { hasText: /^mismatch$/ }).waitFor();
      assert.equal(await page.textContent('#certification-count'), '1');

      // A file takes precedence over the text.
      const file = join(dir, 'content.txt');
      await writeFile(file, content);
      await page.setInputFiles('#certify-file', file);
      await page.click('#certify-button');
      await page.locator('#certify-result', { hasText: /^match$/ }).waitFor();
      // A match again, from the address that already counted today: the count stays.
      assert.equal(await page.textContent('#certification-count'), '1');
      assert.equal((await findSignature(ctx, signatureHash))!.certificationCount, 1);
      assert.equal(sha256HexSync(content), (await findSignature(ctx, signatureHash))!.payloadHash);

      assert.deepEqual(dialogs, []);
      assert.deepEqual(errors, []);
      assert.ok(
        requests.every((u) => u.startsWith(`${origin}/`)),
        `only this server: ${requests.join(', ')}`,
      );
      assert.ok(requests.includes(`${origin}/assets/certify.js`));
    } finally {
      await browser.close();
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
  // A backstop for a hang, as for the other Chromium tests: 16 s here while another suite ran.
  { timeout: 120_000 },
);
