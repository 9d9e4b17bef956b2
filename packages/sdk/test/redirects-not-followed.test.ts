// The SDK follows no HTTP redirect: fetch's default would resend `x-api-key` (it strips only `Authorization` across
// origins), agent-signed `x-vouch-*` headers and, after a 307/308, the body to wherever `Location` points. The client
// fails with UNEXPECTED_REDIRECT, the offline verifier with AIP_FETCH_FAILED; the Location is never requested.
// Against real loopback servers (another port is another origin), and in a real browser.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as Esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import { createAipVerifier, generateKeyPair, isVouchError, VouchApiError, VouchClient } from '../src/index.ts';
import type { Credentials, Route } from '../src/index.ts';
import { bundleForBrowser } from './browser-bundle.ts';
import { chromiumMissing, launchChromium } from './browser.ts';

const ADMIN_KEY = 'vouch_admin_secret_never_redirected_0123456789';
const OWNER_KEY = 'vouch_owner_secret_never_redirected_0123456789';

/** Requests each server saw. */
const seen = { configured: [] as string[], other: [] as Array<{ url: string; headers: IncomingHttpHeaders }> };
/** The status the configured server redirects with, and where to. */
const redirect = { status: 307, to: 'other' as 'other' | 'same' };
let configured: Server;
let other: Server;
let configuredUrl = '';
let otherUrl = '';

function listen(s: Server): Promise<string> {
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );
}

// Lets a page on any origin call the servers with the client's headers (the browser test).
function cors(origin: string | undefined): Record<string, string> {
  return {
    'access-control-allow-origin': origin ?? '*',
    'access-control-allow-headers':
      'x-api-key, authorization, content-type, x-vouch-agent, x-vouch-signed-at, ' +
      'x-vouch-content-sha256, x-vouch-signature',
    'access-control-allow-methods': 'GET, POST',
  };
}

before(async () => {
  configured = createServer((req, res) => {
    req.resume();
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors(req.headers.origin)).end();
    seen.configured.push(`${req.method} ${req.url}`);
    if (req.url?.startsWith('/final')) {
      return void res.writeHead(200, { 'content-type': 'application/json', ...cors(req.headers.origin) }).end('{}');
    }
    const base = redirect.to === 'other' ? otherUrl : configuredUrl;
    res.writeHead(redirect.status, { location: `${base}/final${req.url}`, ...cors(req.headers.origin) });
    res.end();
  });
  other = createServer((req, res) => {
    req.resume();
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors(req.headers.origin)).end();
    seen.other.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json', ...cors(req.headers.origin) }).end('{"keys":[]}');
  });
  configuredUrl = await listen(configured);
  otherUrl = await listen(other);
});
after(() => {
  configured.close();
  other.close();
});

function resetSeen(): void {
  seen.configured.length = 0;
  seen.other.length = 0;
}

test('VouchClient: admin key, bearer keys and agent-signed POSTs are never sent on after a redirect', async () => {
  const agentKey = await generateKeyPair('Ed25519');
  const agentRoute: Route = { method: 'POST', path: '/api/v1/agents/x/rotate-key', auth: ['agent'], idempotent: true };
  const cases: Array<[string, Credentials, (c: VouchClient) => Promise<unknown>]> = [
    ['admin key on GET', { adminKey: ADMIN_KEY }, (c) => c.server.keys()],
    ['owner key on GET', { ownerKey: OWNER_KEY }, (c) => c.http.call({ method: 'GET', path: '/o', auth: ['owner'] })],
    [
      'agent-signed POST',
      { agent: { did: 'did:identity:abcdefghijklmnopqrstuvwxya', privateKey: agentKey.privateKey } },
      (c) => c.http.call(agentRoute, { body: { newPublicKey: 'secret-body' } }),
    ],
  ];
  for (const status of [301, 302, 303, 307, 308]) {
    for (const to of ['other', 'same'] as const) {
      Object.assign(redirect, { status, to });
      for (const [what, credentials, call] of cases) {
        resetSeen();
        // Retries on: a redirect is not a transient failure and is not retried.
        const client = new VouchClient({ baseUrl: configuredUrl, credentials, retry: { retries: 2, baseDelayMs: 0 } });
        const label = `${what}, ${status} to the ${to} origin`;
        await assert.rejects(call(client), (err: unknown) => {
          assert.ok(err instanceof VouchApiError, `${label}: ${String(err)}`);
          assert.equal(err.code, 'UNEXPECTED_REDIRECT', label);
          assert.equal(err.status, status, label);
          assert.match(
            err.message,
            new RegExp(`answered ${status} \\(a redirect\\).*does not follow redirects`),
            label,
          );
          assert.ok(!err.message.includes(ADMIN_KEY) && !err.message.includes(OWNER_KEY), label);
          return true;
        });
        assert.equal(seen.configured.length, 1, `${label}: sent once, not retried, Location not requested`);
        assert.deepEqual(seen.other, [], `${label}: the other origin got nothing`);
      }
    }
  }
});

test('createAipVerifier fetches its discovery document, JWKS and revocation list without following redirects', async () => {
  Object.assign(redirect, { status: 307, to: 'other' });
  resetSeen();
  const verifier = createAipVerifier({ issuer: configuredUrl, now: () => Date.UTC(2026, 0, 1) });
  await assert.rejects(verifier.refreshKeys(), (err: unknown) => {
    assert.ok(isVouchError(err, 'AIP_FETCH_FAILED'), String(err));
    assert.match(err.message, /answered a redirect \(307\), which the verifier does not follow/);
    return true;
  });
  const lists = createAipVerifier({
    jwks: { keys: [] },
    revocationsUrl: `${configuredUrl}/api/registry/revocations`,
    now: () => Date.UTC(2026, 0, 1),
  });
  await assert.rejects(lists.syncRevocations(), (err: unknown) => isVouchError(err, 'AIP_FETCH_FAILED'));
  assert.deepEqual(seen.configured, ['GET /.well-known/agent-registry.json', 'GET /api/registry/revocations']);
  assert.deepEqual(seen.other, []);
});

test(
  'in a browser (which hides a manual redirect behind status 0) the client still says UNEXPECTED_REDIRECT',
  { timeout: 120_000 },
  async (t) => {
    const missing = chromiumMissing();
    if (missing) return t.skip(missing);
    const esbuild: typeof Esbuild = await import('esbuild');
    const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
    const { text: bundle } = await bundleForBrowser(esbuild, entry, 'Vouch');
    const page = createServer((req, res) => {
      if (req.url === '/vouch.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/vouch.js"></script>');
    });
    const origin = await listen(page);
    const browser = await launchChromium();
    try {
      Object.assign(redirect, { status: 307, to: 'other' });
      resetSeen();
      const tab = await browser.newPage();
      await tab.goto(origin);
      const args = JSON.stringify({ server: configuredUrl, adminKey: ADMIN_KEY });
      // A string, not a function: tsx instruments functions with helpers that do not exist in the page.
      const r = (await tab.evaluate(`(async ({ server, adminKey }) => {
      const client = new Vouch.VouchClient({ baseUrl: server, credentials: { adminKey }, retry: { retries: 0 } });
      try {
        await client.server.keys();
        return { code: 'none' };
      } catch (err) {
        return { code: err.code, status: err.status };
      }
    })(${args})`)) as { code: string; status: number };
      assert.deepEqual(r, { code: 'UNEXPECTED_REDIRECT', status: 0 });
      assert.deepEqual(seen.configured, ['GET /api/v1/admin/keys']);
      assert.deepEqual(seen.other, []);
    } finally {
      await browser.close();
      page.close();
    }
  },
);
