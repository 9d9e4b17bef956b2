// The agent and signature pages with the longest values the API takes, in headless Chromium: a description, model
// id, name, owner name or note without a space in it (an URL, a hash, a word in a script without spaces) stays in
// the page's column, on a desktop and on a phone. Before, the page grew as wide as the longest value (23,000 px for a
// 2,000-character description) and the reader had to scroll sideways through every line.
// A description written over several lines, which the API takes, keeps them: before, the page ran them together.
import assert from 'node:assert/strict';
import type * as Playwright from 'playwright-core';
import { eachEngine } from '../helpers/storage.ts';
import { listeningApp } from '../helpers/app.ts';
import { chromiumMissing, launchChromium } from '../../../sdk/test/browser.ts';
import { claimAgent, createOwner, recordSigned, registerPow, SIG_ENV } from '../signatures/helpers.ts';
import { admin, makeIssuers } from '../registry/fixtures.ts';

/** How far the page reaches past the window, in CSS pixels (0: nothing to scroll sideways). */
async function overflow(page: Playwright.Page): Promise<number> {
  return (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
}

eachEngine(
  'in headless Chromium: the longest unbroken values stay in the agent and signature pages',
  async ({ open, t }) => {
    const missing = chromiumMissing();
    if (missing) return t.skip(missing);
    const storage = await open();
    const { app, clock, origin } = await listeningApp(storage, { ...SIG_ENV, VOUCH_POW_DIFFICULTY: '0' });
    const browser = await launchChromium();
    try {
      const slugged = await app.inject({
        method: 'POST',
        url: '/v1/identity/register',
        payload: {
          slug: 'long-values',
          name: 'N'.repeat(200),
          description: `https://example.com/${'d'.repeat(1900)}`,
          model_id: 'M'.repeat(200),
        },
      });
      assert.equal(slugged.statusCode, 201, slugged.body);
      const agent = await registerPow(app, { label: 'L'.repeat(200), difficulty: 0 });
      const owner = await createOwner(app, 'long-owner', 'O'.repeat(200));
      await claimAgent(app, owner, agent.claimToken);
      const { signatureHash } = await recordSigned(app, agent, 'content', clock.now(), 'W'.repeat(160));

      const page = await browser.newPage();
      for (const width of [1280, 375]) {
        await page.setViewportSize({ width, height: 800 });
        for (const path of ['/verify/long-values', `/agents/${agent.did}`, `/verify/${signatureHash}`]) {
          const res = await page.goto(`${origin}${path}`, { waitUntil: 'load' });
          assert.equal(res?.status(), 200, path);
          assert.equal(await overflow(page), 0, `${path} at ${width} px wide: nothing to scroll sideways`);
        }
      }
    } finally {
      await browser.close();
      await app.close();
    }
  },
  { timeout: 120_000 },
);

eachEngine(
  "in headless Chromium: an agent's description keeps its lines on the agent pages",
  async ({ open, t }) => {
    const missing = chromiumMissing();
    if (missing) return t.skip(missing);
    const storage = await open();
    const { app, origin } = await listeningApp(storage, { ...SIG_ENV, VOUCH_POW_DIFFICULTY: '0' });
    const browser = await launchChromium();
    try {
      // The API takes descriptions over several lines (tab, line feed, carriage return); a page showed them as one.
      const description = 'Answers support mail.\nEscalates refunds to a person.\r\n\n- reads: inbox\n- writes: drafts';
      const res = await app.inject({
        method: 'POST',
        url: '/v1/identity/register',
        payload: { slug: 'many-lines', name: 'Many lines', description },
      });
      assert.equal(res.statusCode, 201, res.body);
      const did = (res.json() as { did: string }).did;
      const page = await browser.newPage();
      for (const path of ['/verify/many-lines', `/agents/${did}`]) {
        assert.equal((await page.goto(`${origin}${path}`, { waitUntil: 'load' }))?.status(), 200, path);
        const shown = (await page.evaluate("document.getElementById('agent-description').innerText")) as string;
        assert.deepEqual(
          shown.split('\n').map((line) => line.trim()),
          ['Answers support mail.', 'Escalates refunds to a person.', '', '- reads: inbox', '- writes: drafts'],
          `${path}: ${JSON.stringify(shown)}`,
        );
      }
    } finally {
      await browser.close();
      await app.close();
    }
  },
  { timeout: 120_000 },
);

eachEngine(
  'in headless Chromium: a long issuer name or endpoint stays in the overview and registry pages',
  async ({ open, t }) => {
    const missing = chromiumMissing();
    if (missing) return t.skip(missing);
    const storage = await open();
    const { app, adminKey, origin } = await listeningApp(storage, { ...SIG_ENV, VOUCH_POW_DIFFICULTY: '0' });
    const browser = await launchChromium();
    try {
      const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
      const alpha = {
        ...is.alpha!.entry,
        endpoint: `https://credentials.alpha.example/${'e'.repeat(300)}`,
        metadata: { ...is.alpha!.entry.metadata, name: 'A'.repeat(200) },
      };
      const g = await app.inject({
        method: 'POST',
        url: '/v1/registry/genesis',
        headers: admin(adminKey),
        payload: { issuers: [alpha, is.bravo!.entry, is.charlie!.entry], threshold: 2 },
      });
      assert.equal(g.statusCode, 201, g.body);
      const page = await browser.newPage();
      for (const path of ['/', '/registry']) {
        for (const width of [1280, 375]) {
          await page.setViewportSize({ width, height: 800 });
          assert.equal((await page.goto(`${origin}${path}`, { waitUntil: 'load' }))?.status(), 200, path);
          assert.equal(await overflow(page), 0, `${path} at ${width} px wide: nothing to scroll sideways`);
        }
      }
      // The registry page's tables have five columns: on a phone their headings alone are wider than the screen.
      // Each scrolls sideways in its own box, which shows all of it; the page itself does not.
      for (const id of ['registry-issuers', 'registry-chain']) {
        const box = (await page.evaluate(`(() => {
          const table = document.getElementById(${JSON.stringify(id)});
          const box = table.parentElement;
          return { overflowX: getComputedStyle(box).overflowX, scrollWidth: box.scrollWidth,
            tableWidth: table.getBoundingClientRect().width, right: box.getBoundingClientRect().right };
        })()`)) as { overflowX: string; scrollWidth: number; tableWidth: number; right: number };
        assert.equal(box.overflowX, 'auto', `#${id} scrolls in its own box`);
        assert.ok(box.scrollWidth >= Math.floor(box.tableWidth), `#${id}: the whole table can be scrolled to`);
        assert.ok(box.right <= 375, `#${id}: its box stays on the screen`);
      }
    } finally {
      await browser.close();
      await app.close();
    }
  },
  { timeout: 120_000 },
);
