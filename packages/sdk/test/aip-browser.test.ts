// The offline verifier in a real browser (Debian's chromium through playwright-core), against a real listening
// Vouch server: bundled for the browser with every node:* builtin replaced by a stub that throws if called, so a
// pass proves the verification path (keys, JWS, claims, revocation sync) runs on WebCrypto alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';
import type { AipCheckResult } from '../src/index.ts';
import { startLiveServer, T0 } from './aip-server.ts';
import { bundleForBrowser } from './browser-bundle.ts';
import { chromiumMissing, launchChromium } from './browser.ts';

const AIP_DIR = fileURLToPath(new URL('../src/aip/', import.meta.url));
const ENTRY = fileURLToPath(new URL('../src/aip/index.ts', import.meta.url));

test('no file of the verifier imports a node:* module', () => {
  for (const f of readdirSync(AIP_DIR)) {
    const src = readFileSync(`${AIP_DIR}${f}`, 'utf8');
    assert.doesNotMatch(src, /^import(?! type)[^;]*from '(node:|crypto|fs|net|http)/m, f);
  }
});

test('the offline verifier runs in a browser on WebCrypto', { timeout: 120_000 }, async (t) => {
  const missing = chromiumMissing();
  if (missing) return t.skip(missing);
  const esbuild: typeof Esbuild = await import('esbuild');

  // Bundle for the browser; node:* builtins become stubs that throw when used.
  const built = await bundleForBrowser(esbuild, ENTRY, 'VouchAip');
  const bundle = built.text;
  for (const [file, input] of Object.entries(built.metafile.inputs)) {
    if (!file.includes('/src/aip/')) continue;
    assert.ok(!input.imports.some((i) => i.path.startsWith('node:')), `${file} imports no node:* module`);
  }

  const page = createServer((req, res) => {
    if (req.url === '/aip.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/aip.js"></script>');
    }
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  const live = await startLiveServer({ VOUCH_CORS_ORIGINS: origin });
  const browser = await launchChromium();
  try {
    const agent = await live.registerAgent();
    const good = await live.issue(agent.did, { token_type: 'session', audience: 'shop.example' });
    const revoked = await live.issue(agent.did);
    await live.call('POST', '/api/registry/revoke', { jti: revoked.jti }, true);
    const tab = await browser.newPage();
    await tab.goto(origin);
    // A string, not a function: tsx instruments functions with helpers that do not exist in the page.
    const args = JSON.stringify({ issuer: live.url, now: T0, good: good.token, revoked: revoked.token });
    const results = (await tab.evaluate(`(async ({ issuer, now, good, revoked }) => {
      const verifier = VouchAip.createAipVerifier({ issuer, now: () => now });
      return {
        good: await verifier.check(good, { audience: 'shop.example' }),
        wrongAudience: await verifier.check(good, { audience: 'bank.example' }),
        revoked: await verifier.check(revoked),
        tampered: await verifier.check(good.slice(0, -2) + (good.endsWith('AA') ? 'BA' : 'AA')),
        node: typeof globalThis.process,
      };
    })(${args})`)) as Record<'good' | 'wrongAudience' | 'revoked' | 'tampered', AipCheckResult> & { node: string };
    assert.equal(results.node, 'undefined', 'really a browser');
    assert.equal(results.good.valid, true, JSON.stringify(results.good));
    assert.equal((results.good as { claims: { sub: string } }).claims.sub, agent.did);
    assert.deepEqual(results.wrongAudience, { ...results.wrongAudience, valid: false, code: 'JWT_AUDIENCE_MISMATCH' });
    assert.deepEqual(results.revoked, { ...results.revoked, valid: false, code: 'TOKEN_REVOKED' });
    assert.equal(results.tampered.valid, false);
  } finally {
    await browser.close();
    await live.close();
    await new Promise((resolve) => page.close(resolve));
  }
});
