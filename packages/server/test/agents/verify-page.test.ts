import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { listeningApp, makeApp } from '../helpers/app.ts';
import { bearer, claimAgent, createOwner, registerSlug, TEST_ENV } from './helpers.ts';
import { escapeHtml } from '../../src/modules/agents/verify-page.ts';
import { chromiumMissing, launchChromium } from '../../../sdk/test/browser.ts';

const XSS_NAME = '<script>alert(1)</script>';
const XSS_DESCRIPTION = '<img src=x onerror="window.__pwned=1;alert(2)">';
const XSS_MODEL = '"><svg onload=alert(3)>';

eachEngine(
  'the verify page: escaped, strict CSP, no external assets; hashes and unknown slugs are 404',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: TEST_ENV });
    try {
      const agent = await registerSlug(app, 'xss-agent', {
        name: XSS_NAME,
        description: XSS_DESCRIPTION,
        model_id: XSS_MODEL,
      });
      const owner = await createOwner(app, 'acme', '<b>Acme</b> & "Co"');
      await claimAgent(app, owner, agent.body.claim_token);
      await app.inject({
        method: 'POST',
        url: '/v1/identity/xss-agent/tools',
        headers: bearer(agent.managementToken),
        payload: { tools: ['read_file', 'send_email'] },
      });

      const res = await app.inject({ method: 'GET', url: '/verify/xss-agent' });
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'] as string, /^text\/html; charset=utf-8/);
      assert.match(res.headers['content-security-policy'] as string, /(^|; )default-src 'self'(;|$)/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      const html = res.body;
      assert.ok(!/<script/i.test(html), 'no script element');
      assert.ok(!/<img|<svg/i.test(html), 'no injected element');
      assert.ok(!/<[^>]*\son[a-z]+\s*=/i.test(html), 'no event-handler attribute in any tag');
      assert.ok(html.includes(escapeHtml(XSS_NAME)));
      assert.ok(html.includes(escapeHtml(XSS_DESCRIPTION)));
      assert.ok(html.includes(escapeHtml(XSS_MODEL)));
      assert.ok(html.includes(escapeHtml('<b>Acme</b> & "Co"')));
      for (const shown of [agent.did, 'xss-agent', 'read_file', 'send_email', 'claimed', '>15<']) {
        assert.ok(html.includes(shown), shown);
      }
      assert.match(html, /id="agent-score">35</, 'registration 10 + model 5 + tools 15 + owner 5');
      // Every URL on the page is this server's, and there is one: the stylesheet, a same-origin path (the page works
      // at any address it is opened at, under its CSP's 'self').
      const urls = [...html.matchAll(/(?:href|src|action)="([^"]*)"/g)].map((m) => m[1]);
      assert.deepEqual(urls, ['/assets/vouch.css']);
      const css = await app.inject({ method: 'GET', url: '/assets/vouch.css' });
      assert.match(css.headers['content-type'] as string, /^text\/css/);
      assert.ok(!/url\(|@import/.test(css.body), 'the stylesheet loads nothing else');

      // The DID and the internal id show the same page.
      for (const ref of [agent.did, agent.id]) {
        const r = await app.inject({ method: 'GET', url: `/verify/${ref}` });
        assert.equal(r.statusCode, 200, ref);
        assert.ok(r.body.includes(escapeHtml(XSS_NAME)));
      }

      // 64 hex is a signature hash, never an agent: 404 for now (JSON, or HTML for browsers).
      const hash = 'ab'.repeat(32);
      const asJson = await app.inject({ method: 'GET', url: `/verify/${hash}` });
      assert.equal(asJson.statusCode, 404);
      assert.equal((asJson.json() as { code: string }).code, 'NOT_FOUND');
      const asHtml = await app.inject({ method: 'GET', url: `/verify/${hash}`, headers: { accept: 'text/html' } });
      assert.equal(asHtml.statusCode, 404);
      assert.match(asHtml.headers['content-type'] as string, /^text\/html/);
      assert.match(asHtml.headers['content-security-policy'] as string, /default-src 'self'/);
      for (const x of ['no-such-agent', 'a'.repeat(26), '%3Cscript%3E']) {
        const r = await app.inject({ method: 'GET', url: `/verify/${x}`, headers: { accept: 'text/html' } });
        assert.equal(r.statusCode, 404, x);
        assert.ok(!/<script/i.test(r.body));
      }
    } finally {
      await app.close();
    }
  },
);

eachEngine(
  'in a real headless Chromium, an agent named <script>alert(1)</script> runs nothing and opens no dialog',
  async ({ open, t }) => {
    const missing = chromiumMissing();
    if (missing) return t.skip(missing);
    const storage = await open();
    const { app, origin } = await listeningApp(storage, TEST_ENV);
    const browser = await launchChromium();
    try {
      await registerSlug(app, 'xss-agent', { name: XSS_NAME, description: XSS_DESCRIPTION, model_id: XSS_MODEL });
      const page = await browser.newPage();
      const dialogs: string[] = [];
      const requests: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('request', (r) => requests.push(r.url()));
      const response = await page.goto(`${origin}/verify/xss-agent`, { waitUntil: 'load' });
      assert.equal(response?.status(), 200);
      await page.waitForTimeout(300);
      assert.deepEqual(dialogs, [], 'no alert, confirm or prompt');
      assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');
      assert.equal(await page.evaluate('document.scripts.length'), 0);
      assert.equal(await page.evaluate("document.querySelectorAll('img, svg, iframe, object').length"), 0);
      assert.equal(await page.textContent('#agent-name'), XSS_NAME, 'the name is shown as text');
      assert.equal(await page.textContent('#agent-description'), XSS_DESCRIPTION);
      assert.ok(
        requests.every((u) => u.startsWith(`${origin}/`)),
        `only this server was asked: ${requests.join(', ')}`,
      );
      assert.ok(requests.includes(`${origin}/assets/vouch.css`), 'the stylesheet loaded under the CSP');
    } finally {
      await browser.close();
      await app.close();
    }
  },
  // A backstop for a hang, as for the other Chromium tests: 16 s here while another suite ran.
  { timeout: 120_000 },
);
