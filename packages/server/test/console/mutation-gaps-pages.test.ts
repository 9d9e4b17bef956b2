// Mutation gaps in the console's security headers (web/html.ts) and escaping (modules/console): every page, error
// pages and the token inspector's form included, forbids framing twice over (CSP frame-ancestors and
// X-Frame-Options, for browsers without CSP 2), sends no Referer, pins <base>, and refuses MIME sniffing; an issuer's
// endpoint (any https URL the registry format accepts, markup included) and the token verdict's message are escaped.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGenesis, generateKeyPair } from '@vouch/sdk';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { makeIssuers } from '../registry/fixtures.ts';
import { injectCall, seedConsole } from './seed.ts';

const ENV: Record<string, string> = { VOUCH_POW_DIFFICULTY: '0', VOUCH_PUBLIC_URL: 'https://vouch.test' };

function assertPageHeaders(res: LightMyRequestResponse, formAction: string, what: string): void {
  assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/, what);
  const csp = String(res.headers['content-security-policy']).split(/;\s*/);
  for (const directive of [
    "default-src 'self'",
    "base-uri 'none'",
    `form-action ${formAction}`,
    "frame-ancestors 'none'",
  ]) {
    assert.ok(csp.includes(directive), `${what}: CSP has ${directive}`);
  }
  assert.equal(res.headers['x-frame-options'], 'DENY', what);
  assert.equal(res.headers['referrer-policy'], 'no-referrer', what);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
}

eachEngine('every console page, errors included, carries the full set of page security headers', async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage, { env: ENV });
  try {
    for (const [url, status] of [
      ['/', 200],
      ['/registry', 200],
      ['/agents/did:identity:nobody', 404],
      ['/tokens/inspect', 200],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      assert.equal(res.statusCode, status, url);
      assertPageHeaders(res, url === '/tokens/inspect' ? "'self'" : "'none'", url);
    }
    const form = await t.app.inject({
      method: 'POST',
      url: '/tokens/inspect',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'token=not-a-token',
    });
    assert.equal(form.statusCode, 400);
    assertPageHeaders(form, "'self'", 'POST /tokens/inspect');
    assert.equal(form.headers['cache-control'], 'no-store');
  } finally {
    await t.app.close();
  }
});

eachEngine(
  "the token inspector's verdict and decoding messages are escaped like every other value",
  async ({ open }) => {
    const storage = await open();
    const t = await makeApp(storage, { env: ENV });
    try {
      // A header member the verifier refuses by name: its message quotes it ("jku").
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const token = `${b64({ alg: 'ES256', typ: 'JWT', kid: 'k', jku: 'https://evil.example/jwks' })}.${b64({
        sub: 'x',
      })}.${Buffer.alloc(64).toString('base64url')}`;
      const res = await t.app.inject({
        method: 'POST',
        url: '/tokens/inspect',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ token }).toString(),
      });
      assert.equal(res.statusCode, 200, res.body);
      const error = /<p class="error" id="token-error">([^<]*)<\/p>/.exec(res.body)?.[1];
      assert.equal(error, 'The token header carries &#34;jku&#34;, which is never honoured.');

      // Not a token at all (no "alg"): the decoder's message, quoted the same way.
      const noAlg = `${b64({ typ: 'JWT' })}.${b64({ sub: 'x' })}.${Buffer.alloc(64).toString('base64url')}`;
      const bad = await t.app.inject({
        method: 'POST',
        url: '/tokens/inspect',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ token: noAlg }).toString(),
      });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.equal(
        /<p class="error" id="token-error">([^<]*)<\/p>/.exec(bad.body)?.[1],
        'The token header has no &#34;alg&#34;.',
      );
    } finally {
      await t.app.close();
    }
  },
);

eachEngine('an issuer endpoint holding markup is shown escaped on the registry page', async ({ open, dataDir }) => {
  const root = await generateKeyPair('Ed25519');
  const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
  const endpoint = 'https://credentials.alpha.example/"><a href="https://evil.example/">x</a>';
  const doc = await createGenesis({
    rootKey: root.privateKey,
    issuers: [{ ...is.alpha!.entry, endpoint }, is.bravo!.entry, is.charlie!.entry],
    threshold: 2,
    now: T0,
  });
  const file = join(dataDir, 'agent-trust.json');
  await writeFile(file, JSON.stringify(doc));
  const t = await makeApp(await open(), {
    env: { ...ENV, VOUCH_TRUST_REGISTRY_URL: file, VOUCH_TRUST_REGISTRY_ROOT_KEY: root.publicKeyRegistry! },
    clock: new ManualClock(T0 + 5000),
  });
  try {
    const res = await t.app.inject({ method: 'GET', url: '/registry', headers: { accept: 'text/html' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(
      res.body.includes(
        'https://credentials.alpha.example/&#34;&#62;&#60;a href=&#34;https://evil.example/&#34;&#62;x',
      ),
      'the endpoint is escaped',
    );
    assert.ok(!res.body.includes('evil.example/">'), 'no raw markup from the endpoint');
  } finally {
    await t.app.close();
  }
});

eachEngine("a revoked issuer's reason is escaped in the registry page's revoked table itself", async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage, { env: ENV });
  try {
    // The seed removes charlie by proposal with the reason "left <the> consortium"; the governance chain shows the
    // reason too, so the revoked table is checked on its own.
    await seedConsole(injectCall(t.app), t.clock.now());
    const res = await t.app.inject({ method: 'GET', url: '/registry', headers: { accept: 'text/html' } });
    assert.equal(res.statusCode, 200, res.body);
    const revoked = /<table id="registry-revoked">[\s\S]*?<\/table>/.exec(res.body)?.[0] ?? '';
    assert.match(revoked, /<code>charlie<\/code>/);
    assert.ok(revoked.includes('<td>left &#60;the&#62; consortium</td>'), revoked);
    assert.ok(!res.body.includes('<the>'), 'the reason never appears as markup');
  } finally {
    await t.app.close();
  }
});
