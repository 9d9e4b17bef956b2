// The client and the agent and verifier helpers in a real browser (Debian's chromium through playwright-core),
// against a real listening Vouch server: the whole SDK bundled with every node:* builtin replaced by a stub that
// throws if called, so a pass proves these paths run on fetch and WebCrypto alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';
import { generateKeyPair, VouchClient } from '../src/index.ts';
import { startLiveServer } from './aip-server.ts';
import { bundleForBrowser } from './browser-bundle.ts';
import { chromiumMissing, launchChromium } from './browser.ts';

const ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const DIRS = ['client', 'agent', 'verify'].map((d) => fileURLToPath(new URL(`../src/${d}/`, import.meta.url)));

test('no file of the client, agent or verify helpers imports a node:* module', () => {
  for (const dir of DIRS) {
    for (const f of readdirSync(dir)) {
      const src = readFileSync(`${dir}${f}`, 'utf8');
      assert.doesNotMatch(src, /^import(?! type)[^;]*from '(node:|crypto|fs|net|http)/m, `${dir}${f}`);
    }
  }
});

test('client, agent helpers and verifier helpers run in a browser on WebCrypto', { timeout: 120_000 }, async (t) => {
  const missing = chromiumMissing();
  if (missing) return t.skip(missing);
  const esbuild: typeof Esbuild = await import('esbuild');
  const { text: bundle } = await bundleForBrowser(esbuild, ENTRY, 'Vouch');
  const page = createServer((req, res) => {
    if (req.url === '/vouch.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/vouch.js"></script>');
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  const live = await startLiveServer({ VOUCH_CORS_ORIGINS: origin, VOUCH_POW_DIFFICULTY: '2' });
  const browser = await launchChromium();
  try {
    // A signed tool manifest to check in the page, set up from Node.
    const node = new VouchClient({ baseUrl: live.url, now: () => live.clock.now() });
    const key = await generateKeyPair('Ed25519');
    const reg = await node.identity.register({ slug: 'browser-bot', public_key_pem: key.publicKeyRegistry! });
    await node
      .withCredentials({ managementToken: reg.management_token })
      .identity.setTools('browser-bot', { tools: ['search'] });

    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(origin);
    const args = JSON.stringify({ server: live.url, now: live.clock.now() });
    // A string, not a function: tsx instruments functions with helpers that do not exist in the page.
    const r = (await tab.evaluate(`(async ({ server, now }) => {
      const client = new Vouch.VouchClient({ baseUrl: server, now: () => now });
      const progress = [];
      const created = await Vouch.createAgentIdentity(client, { difficulty: 2, onProgress: (n) => progress.push(n) });
      const agent = created.agent;
      const signed = await agent.signContent('made in a browser');
      const record = await client.signatures.verify(signed.signatureHash);
      const token = await agent.requestToken({ audience: 'shop.example' });
      const cache = await Vouch.fetchVerifierCache(client, { signatures: [signed.signatureHash] });
      const offline = Vouch.createOfflineVerifier(JSON.parse(JSON.stringify(cache)), { now: () => now });
      let notFound;
      try { await client.signatures.verify('0'.repeat(64)); } catch (e) { notFound = { code: e.code, status: e.status, api: e instanceof Vouch.VouchApiError }; }
      return {
        node: typeof globalThis.process,
        provider: client.http.crypto.name,
        did: created.did,
        powAttempts: created.powAttempts,
        recordDid: record.agent.did,
        content: await Vouch.verifyContent(signed.signatureHash, 'made in a browser', { record }),
        otherContent: await offline.verifyContent(signed.signatureHash, 'made elsewhere'),
        token: await offline.verifyToken(token.token, { audience: 'shop.example' }),
        serverToken: await client.tokens.verify({ token: token.token }),
        manifest: await offline.verifyToolManifest(await client.identity.getTools('browser-bot')),
        notFound,
      };
    })(${args})`)) as Record<string, unknown> & {
      content: { valid: boolean };
      otherContent: { valid: boolean; code: string };
      token: { valid: boolean; claims: { sub: string } };
      serverToken: { valid: boolean };
      manifest: { valid: boolean };
    };
    assert.deepEqual(errors, []);
    assert.equal(r.node, 'undefined', 'really a browser');
    assert.equal(r.provider, 'webcrypto');
    assert.match(r.did as string, /^did:identity:/);
    assert.equal(r.recordDid, r.did);
    assert.equal(r.content.valid, true, JSON.stringify(r.content));
    assert.equal(r.otherContent.code, 'CONTENT_MISMATCH');
    assert.equal(r.token.valid, true, JSON.stringify(r.token));
    assert.equal(r.token.claims.sub, r.did);
    assert.equal(r.serverToken.valid, true);
    assert.equal(r.manifest.valid, true, JSON.stringify(r.manifest));
    assert.deepEqual(r.notFound, { code: 'NOT_FOUND', status: 404, api: true });
    assert.ok((r.powAttempts as number) >= 1);
  } finally {
    await browser.close();
    await live.close();
    await new Promise((resolve) => page.close(resolve));
  }
});
