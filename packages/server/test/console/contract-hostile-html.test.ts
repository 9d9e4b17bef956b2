// Every server-rendered page as an attacker sees it: hostile values registered through the real API in every field
// that reaches a page (agent name, description, model, tool names, owner name, identity.app label, signature notes,
// issuer names, endpoints and removal reasons, token claims, the inspector's echoed input, paths and query strings).
// Each HTML answer is read back strictly (html-scan.ts): no tag, attribute, script or foreign URL of the attacker's
// survives, each value reads back as the text it was, the security headers are all there, and no secret is shown.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { listeningApp, makeApp, TEST_ADMIN_KEY } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { hashSecret } from '../../src/http/secrets.ts';
import { makeIssuers, proposal, unsigned } from '../registry/fixtures.ts';
import { admin, bearer, claimAgent, createOwner, registerPow, registerSlug } from '../agents/helpers.ts';
import { recordSigned, signBody } from '../signatures/helpers.ts';
import { decodeEntities, scanPage, textOf } from './html-scan.ts';
import { chromiumMissing, launchChromium } from '../../../sdk/test/browser.ts';

const ORIGIN = 'https://vouch.test';
const ENV = { VOUCH_POW_DIFFICULTY: '1', VOUCH_PUBLIC_URL: ORIGIN };

/** Closes every raw-text element, opens a script and an event handler, breaks out of both quote styles, smuggles a
 * URL scheme and pre-escaped entities (which must come back literally, not decoded once more). */
const H = `</title></textarea></pre>"'\`><script>alert(1)</script><img src=x onerror=alert(2)>&lt;b&#62; javascript:alert(3)`;
/** A second hostile value, so that the verified and the unverified note (and the two issuers) can be told apart. */
const H2 = `${H} (signed)`;
/** Tool names allow `:` and `/`: these must stay text, never links. */
const URL_TOOLS = ['data:text/html', 'javascript://evil.example/x'];
/** What is typed into paths and query strings: its marker must appear nowhere in the answer. */
const PROBE = '"><script>alert("zz-probe")</script>';
const HOSTILE_ENDPOINT = 'https://credentials.alpha.example/"><script>alert(4)</script><a href="javascript:alert(5)">';

const CSP_DIRECTIVES = ["default-src 'self'", "base-uri 'none'", "frame-ancestors 'none'"];

/** The headers every HTML answer carries, HEAD included. */
function assertPageHeaders(res: LightMyRequestResponse, what: string): void {
  assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8$/, what);
  const csp = String(res.headers['content-security-policy']).split(/;\s*/);
  for (const d of CSP_DIRECTIVES) assert.ok(csp.includes(d), `${what}: CSP ${d}`);
  assert.ok(
    csp.includes("form-action 'none'") || csp.includes("form-action 'self'"),
    `${what}: CSP form-action is 'none' or 'self'`,
  );
  assert.ok(!csp.some((d) => /unsafe-|\*|data:|https?:/.test(d)), `${what}: no inline script, no other source`);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(res.headers['x-frame-options'], 'DENY', what);
  assert.equal(res.headers['referrer-policy'], 'no-referrer', what);
  assert.equal(res.headers['access-control-allow-origin'], undefined, what);
}

interface Seeded {
  slugDid: string;
  powId: string;
  signatures: { verified: string; unverified: string };
  token: string;
  secrets: string[];
}

/** Registers a hostile value in every field a page shows, through the HTTP API only. */
async function seed(t: TestApp): Promise<Seeded> {
  const { app } = t;
  const agent = await registerSlug(app, 'hostile-agent', {
    name: H,
    description: `${H}\n${H2}`,
    model_id: H,
  });
  const owner = await createOwner(app, 'hostile-owner', H);
  await claimAgent(app, owner, agent.body.claim_token);
  const tools = await app.inject({
    method: 'POST',
    url: '/v1/identity/hostile-agent/tools',
    headers: bearer(agent.managementToken),
    payload: { tools: ['read_file', ...URL_TOOLS], tool_descriptions: { read_file: H } },
  });
  assert.equal(tools.statusCode, 200, tools.body);

  const pow = await registerPow(app, { label: H });
  const powClaim = pow.claimToken!;
  await claimAgent(app, owner, powClaim);
  const verified = await recordSigned(app, pow, 'content one', t.clock.now(), H2);
  // A note the signature does not cover: recorded as the unverified note.
  const unverifiedBody = await signBody(pow.pair, pow.did, 'content two', t.clock.now(), H);
  const unverified = await app.inject({ method: 'POST', url: '/api/v1/signatures/sign', payload: unverifiedBody });
  assert.equal(unverified.statusCode, 201, unverified.body);

  // The registry: a founder with a hostile name and endpoint, an issuer admitted with a hostile name and reason,
  // another removed with a hostile reason.
  const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta']);
  const alpha = { ...is.alpha!.entry, endpoint: HOSTILE_ENDPOINT, metadata: { ...is.alpha!.entry.metadata, name: H } };
  const g = await app.inject({
    method: 'POST',
    url: '/v1/registry/genesis',
    headers: admin,
    payload: { issuers: [alpha, is.bravo!.entry, is.charlie!.entry], threshold: 2 },
  });
  assert.equal(g.statusCode, 201, g.body);
  const registry = (g.json() as { registry: string }).registry;
  const delta = { ...unsigned(is.delta!.entry), metadata: { ...is.delta!.entry.metadata, name: H2 } };
  for (const [body, signers] of [
    [{ registry, baseSequence: 1, action: 'add', entry: delta, reason: H }, [is.alpha!, is.bravo!]],
    [{ registry, baseSequence: 2, action: 'remove', subject: 'charlie', reason: H2 }, [is.alpha!, is.delta!]],
  ] as const) {
    const p = await proposal(body as Parameters<typeof proposal>[0], signers, t.clock.now());
    const res = await app.inject({ method: 'POST', url: '/v1/registry/proposals', payload: p });
    assert.equal((res.json() as { status: string }).status, 'applied', res.body);
  }

  // A valid token whose claims carry hostile text, the line separators included.
  const issued = await app.inject({
    method: 'POST',
    url: '/api/registry/issue',
    headers: admin,
    payload: { agent_name: pow.did, deployer: H, framework: `${H}\u2028\u2029`, model_providers: [H2] },
  });
  assert.equal(issued.statusCode, 201, issued.body);
  const token = (issued.json() as { token: string }).token;

  const raw = [TEST_ADMIN_KEY, agent.managementToken, String(agent.body.claim_token), powClaim, owner.apiKey];
  return {
    slugDid: agent.did,
    powId: pow.id,
    signatures: {
      verified: verified.signatureHash,
      unverified: (unverified.json() as { signatureHash: string }).signatureHash,
    },
    token,
    secrets: [...raw, ...raw.map(hashSecret), t.kek.toString('hex'), t.kek.toString('base64')],
  };
}

const CERTIFY_SCRIPT = ['/assets/certify.js'];

/** An HTML answer: the headers, a strict scan, and no secret anywhere in it. Returns the body. */
function checkPage(res: LightMyRequestResponse, status: number, secrets: readonly string[], what: string): string {
  assert.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 300)}`);
  assertPageHeaders(res, what);
  scanPage(res.body, ORIGIN, CERTIFY_SCRIPT);
  for (const s of secrets) assert.ok(!res.body.includes(s), `${what} shows a secret`);
  assert.ok(!/PRIVATE KEY|"d":/.test(decodeEntities(res.body)), `${what} shows no private key`);
  return res.body;
}

eachEngine('hostile values on every page: no markup survives, every value reads back as text', async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage, { env: ENV });
  try {
    const s = await seed(t);
    const get = (url: string, method: 'GET' | 'HEAD' = 'GET') =>
      t.app.inject({ method, url, headers: { accept: 'text/html' } });

    const pages: Array<[string, number]> = [
      ['/', 200],
      ['/registry', 200],
      [`/agents/${s.slugDid}`, 200],
      ['/verify/hostile-agent', 200],
      [`/verify/${s.powId}`, 200],
      [`/verify/${s.signatures.verified}`, 200],
      [`/verify/${s.signatures.unverified}`, 200],
      ['/tokens/inspect', 200],
      ['/docs', 200],
      // Query strings and unknown references: never echoed.
      [`/?q=${encodeURIComponent(PROBE)}`, 200],
      [`/verify/hostile-agent?${encodeURIComponent(PROBE)}=${encodeURIComponent(PROBE)}`, 200],
      [`/tokens/inspect?token=${encodeURIComponent(PROBE)}`, 200],
      [`/agents/${encodeURIComponent(PROBE)}`, 404],
      [`/agents/did:identity:${encodeURIComponent(PROBE)}`, 404],
      ['/verify/no-such-agent', 404],
      [`/verify/${'0'.repeat(64)}`, 404],
    ];
    const bodies = new Map<string, string>();
    for (const [url, status] of pages) {
      const html = checkPage(await get(url), status, [...s.secrets, s.token], `GET ${url}`);
      assert.ok(!html.includes('zz-probe'), `${url}: the path and query are not echoed`);
      bodies.set(url, html);
      const head = await get(url, 'HEAD');
      assert.equal(head.statusCode, status, `HEAD ${url}`);
      assertPageHeaders(head, `HEAD ${url}`);
    }

    // The agent page, public and in the console: every field reads back exactly.
    for (const url of ['/verify/hostile-agent', `/agents/${s.slugDid}`]) {
      const html = bodies.get(url)!;
      assert.equal(textOf(html, 'agent-name'), H, url);
      assert.equal(textOf(html, 'agent-description'), `${H}\n${H2}`, url);
      assert.equal(decodeEntities(/<title>([^<]*)<\/title>/.exec(html)![1]!), `${H} — Vouch`, `${url}: title`);
      assert.ok(decodeEntities(html).includes(`<dd>${H} (<code>hostile-owner</code>)</dd>`), `${url}: owner`);
      assert.equal(textOf(html, 'agent-status'), 'claimed');
      for (const tool of URL_TOOLS) assert.ok(html.includes(`<li><code>${tool}</code></li>`), `${url}: ${tool}`);
    }
    assert.equal(textOf(bodies.get(`/verify/${s.powId}`)!, 'agent-name'), H);

    // The signature pages: the signer's label, the verified note and the unverified one, each where it belongs.
    const signed = bodies.get(`/verify/${s.signatures.verified}`)!;
    assert.equal(textOf(signed, 'signer-name'), H);
    assert.equal(textOf(signed, 'signature-title'), `Signed by ${H}`);
    assert.equal(textOf(signed, 'public-note'), H2);
    assert.equal(textOf(signed, 'unverified-note'), undefined);
    const unsignedNote = bodies.get(`/verify/${s.signatures.unverified}`)!;
    assert.equal(textOf(unsignedNote, 'unverified-note'), H);
    assert.equal(textOf(unsignedNote, 'public-note'), undefined);

    // The registry on the overview and its page: names, endpoint and reasons as text.
    for (const url of ['/', '/registry']) {
      const text = decodeEntities(bodies.get(url)!);
      assert.ok(text.includes(H), `${url}: the founder's name`);
      assert.ok(text.includes(H2), `${url}: the admitted issuer's name or the removal reason`);
    }
    const registryText = decodeEntities(bodies.get('/registry')!);
    assert.ok(registryText.includes(HOSTILE_ENDPOINT), 'the endpoint, as text');
    assert.ok(registryText.includes(`(${H})`), 'the admission reason');
    assert.equal(textOf(bodies.get('/registry')!, 'registry-verdict'), 'valid');

    // The token inspector: hostile claims of a valid token; a hostile "token" echoed into the form; a forged token
    // whose header and claims are hostile.
    const inspect = (token: string) =>
      t.app.inject({
        method: 'POST',
        url: '/tokens/inspect',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ token }).toString(),
      });
    let html = checkPage(await inspect(s.token), 200, s.secrets, 'inspect a valid token');
    assert.equal(textOf(html, 'token-verdict'), 'valid');
    assert.equal(textOf(html, 'token'), s.token);
    const claims = JSON.parse(textOf(html, 'token-claims')!) as Record<string, unknown>;
    const values = Object.values(claims).flat();
    for (const v of [H, `${H}\u2028\u2029`, H2]) assert.ok(values.includes(v), `claim ${JSON.stringify(v)}`);

    html = checkPage(await inspect(H), 400, s.secrets, 'inspect a hostile non-token');
    assert.equal(textOf(html, 'token'), H, 'the input comes back into the form as text');
    assert.equal(textOf(html, 'token-verdict'), 'not a token');

    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const forged = `${b64({ alg: 'ES256', typ: 'JWT', kid: H })}.${b64({ sub: H, iss: H })}.${b64(H)}`;
    html = checkPage(await inspect(forged), 200, s.secrets, 'inspect a forged token');
    assert.equal(textOf(html, 'token-verdict'), 'invalid');
    assert.equal((JSON.parse(textOf(html, 'token-header')!) as { kid: string }).kid, H);
    assert.equal((JSON.parse(textOf(html, 'token-claims')!) as { sub: string }).sub, H);
  } finally {
    await t.app.close();
  }
});

eachEngine(
  'in headless Chromium, with JavaScript on, no hostile value runs: console pages and the token inspector form',
  async ({ open, t: test }) => {
    const missing = chromiumMissing();
    if (missing) return test.skip(missing);
    const t = await listeningApp(await open(), ENV);
    const origin = t.origin;
    const browser = await launchChromium();
    try {
      const s = await seed(t);
      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      // `scripts`: the signature page's one same-origin certify script; no other page has any.
      const visit = async (path: string, scripts = 0): Promise<void> => {
        const res = await page.goto(`${origin}${path}`, { waitUntil: 'load' });
        assert.equal(res?.status(), 200, path);
        assert.equal(await page.evaluate('document.scripts.length'), scripts, path);
        assert.equal(await page.evaluate("document.querySelectorAll('img, svg, iframe, object, embed').length"), 0);
      };

      for (const path of ['/', '/registry', `/agents/${s.slugDid}`, '/verify/hostile-agent']) await visit(path);
      assert.equal(await page.textContent('#agent-name'), H);
      await visit(`/verify/${s.signatures.unverified}`, 1);
      assert.equal(await page.textContent('#unverified-note'), H);

      // The inspector's form, JavaScript on: a hostile "token" comes back into the textarea as text, and a valid
      // token's hostile claims are shown as text.
      for (const [token, verdict] of [
        [H, 'not a token'],
        [s.token, 'valid'],
      ] as const) {
        await visit('/tokens/inspect');
        await page.fill('#token', token);
        await Promise.all([page.waitForURL(`${origin}/tokens/inspect`), page.click('#inspect-button')]);
        await page.waitForSelector('#token-verdict');
        assert.equal(await page.textContent('#token-verdict'), verdict);
        assert.equal(await page.inputValue('#token'), token, 'the textarea holds exactly what was sent');
        assert.equal(await page.evaluate('document.scripts.length'), 0);
      }
      assert.ok(((await page.textContent('#token-claims')) ?? '').includes(JSON.stringify(H).slice(1, -1)));
      assert.deepEqual(problems, [], 'no dialog, no page error');
      assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');
      assert.ok(
        requests.every((u) => u.startsWith(`${origin}/`)),
        `only this server was asked: ${requests.join(', ')}`,
      );
    } finally {
      await browser.close();
      await t.app.close();
    }
  },
  { timeout: 90_000 },
);
