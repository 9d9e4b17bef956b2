import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '@vouch/sdk';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0, tableCounts } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { escapeHtml } from '../../src/web/html.ts';
import { COUNTS_MAX_AGE_MS } from '../../src/modules/console/overview.ts';
import { signedGenesis } from '../registry/fixtures.ts';
import { ADMIN, injectCall, seedConsole, signContent, XSS_ISSUER, XSS_NAME } from './seed.ts';

const ENV = { VOUCH_POW_DIFFICULTY: '0', VOUCH_PUBLIC_URL: 'https://vouch.test' };

async function getPage(t: TestApp, url: string): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
}

/**
 * What every console page must be: HTML under a strict CSP, no script, every URL this server's: a same-origin path
 * (what the page loads, posts to or links to here, so it works at any address it is opened at).
 */
function assertSafePage(res: LightMyRequestResponse, status: number, formAction = "'none'"): string {
  assert.equal(res.statusCode, status, res.body);
  assert.match(res.headers['content-type'] as string, /^text\/html; charset=utf-8/);
  const csp = res.headers['content-security-policy'] as string;
  assert.match(csp, /(^|; )default-src 'self'(;|$)/);
  assert.match(csp, new RegExp(`form-action ${formAction}`));
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['access-control-allow-origin'], undefined);
  const html = res.body;
  assert.ok(!/<script|<img|<svg|<iframe|<style/i.test(html), 'no script, injected element or inline style');
  assert.ok(!/<[^>]*\s(on[a-z]+|style)\s*=/i.test(html), 'no event-handler or style attribute');
  for (const [, url] of html.matchAll(/(?:href|src|action)="([^"]*)"/g)) {
    assert.ok(/^\/(?!\/)/.test(url!), `a same-origin path of this server: ${url}`);
  }
  return html;
}

const text = (html: string, id: string): string | undefined => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];

eachEngine('overview and registry pages before any registry: 200 with the reason', async ({ open }) => {
  const t = await makeApp(await open(), { env: ENV });
  try {
    for (const url of ['/', '/registry']) {
      const html = assertSafePage(await getPage(t, url), 200);
      assert.match(text(html, 'registry-unavailable') ?? '', /no trust registry yet/);
    }
    assert.equal(text(assertSafePage(await getPage(t, '/'), 200), 'count-agents'), '0');
  } finally {
    await t.app.close();
  }
});

eachEngine(
  'overview counts are reused for 10 s, then counted again, and again when the clock is set back',
  async ({ open }) => {
    const storage = await open();
    const t = await makeApp(storage, { env: ENV });
    try {
      const seeded = await seedConsole(injectCall(t.app), t.clock.now());
      const countOf = async (id: string) => text(assertSafePage(await getPage(t, '/'), 200), id);
      assert.equal(await countOf('count-signatures'), '0');
      assert.equal((await signContent(injectCall(t.app), seeded.signer, 'one', t.clock.now())).status, 201);
      t.clock.advance(COUNTS_MAX_AGE_MS - 1);
      assert.equal(await countOf('count-signatures'), '0', 'still the count taken 9.999 s ago');
      t.clock.advance(1);
      assert.equal(await countOf('count-signatures'), '1', 'counted again once 10 s old');
      assert.match((await countOf('counts-age')) ?? '', /at most 10 s ago/);
      // A clock set back does not keep a count from its future.
      t.clock.advance(-60_000);
      assert.equal((await signContent(injectCall(t.app), seeded.signer, 'two', t.clock.now())).status, 201);
      assert.equal(await countOf('count-signatures'), '2');
    } finally {
      await t.app.close();
    }
  },
);

eachEngine('overview, registry and agent pages: counts, "signed by n/m", escaped, 404 HTML', async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage, { env: ENV });
  try {
    const seeded = await seedConsole(injectCall(t.app), t.clock.now());
    const signed = await signContent(injectCall(t.app), seeded.signer, 'signed text', t.clock.now());
    assert.equal(signed.status, 201);
    const before = await tableCounts(storage);

    const overview = assertSafePage(await getPage(t, '/'), 200);
    assert.equal(text(overview, 'count-agents'), '2');
    assert.equal(text(overview, 'count-tokens'), '1');
    assert.equal(text(overview, 'count-signatures'), '1');
    assert.equal(text(overview, 'registry-sequence'), '3');
    assert.equal(text(overview, 'registry-threshold'), '2 of 3');
    assert.equal(text(overview, 'registry-verdict'), 'valid');
    for (const [id, status] of [
      ['alpha', 'active'],
      ['bravo', 'active'],
      ['delta', 'active'],
      ['charlie', 'revoked'],
    ]) {
      assert.match(overview, new RegExp(`<code>${id}</code>.*?status-${status}`), id);
    }
    assert.ok(overview.includes(escapeHtml(XSS_ISSUER)));

    const registry = assertSafePage(await getPage(t, '/registry'), 200);
    assert.equal(text(registry, 'registry-verdict'), 'valid');
    assert.equal(text(registry, 'registry-sequence'), '3');
    assert.ok(registry.includes(seeded.registry));
    const row = (id: string): string =>
      /<tr id="issuer-[^"]*">[\s\S]*?<\/tr>/g.exec(registry.slice(registry.indexOf(`id="issuer-${id}"`) - 8))![0];
    assert.match(row('delta'), /step 2 \(proposal\)/);
    assert.match(row('delta'), /signed by 2\/2/);
    assert.match(row('delta'), /<code>alpha<\/code>, <code>bravo<\/code>/);
    assert.match(row('alpha'), /genesis/);
    assert.ok(!registry.includes('id="issuer-charlie"'), 'charlie is no longer active');
    assert.match(
      registry,
      /<table id="registry-revoked">[\s\S]*<code>charlie<\/code>[\s\S]*left &#60;the&#62; consortium/,
    );
    const chain = registry.slice(registry.indexOf('id="registry-chain"'));
    assert.match(chain, /remove <code>charlie<\/code>[\s\S]*signed by 2\/2: <code>alpha<\/code>, <code>delta<\/code>/);
    assert.match(chain, /add <code>delta<\/code>/);
    assert.match(chain, /genesis: <code>alpha<\/code>, <code>bravo<\/code>, <code>charlie<\/code>, threshold 2/);
    assert.ok(registry.includes(escapeHtml(XSS_ISSUER)));

    // The agent page: the agents module's renderer inside the console layout, by DID or internal id.
    for (const ref of [seeded.xss.did, seeded.xss.did.slice('did:identity:'.length)]) {
      const agent = assertSafePage(await getPage(t, `/agents/${encodeURIComponent(ref)}`), 200);
      assert.equal(text(agent, 'agent-name'), escapeHtml(XSS_NAME));
      assert.match(agent, /<nav class="site"/);
    }
    // The public verify page keeps its own layout: no console navigation.
    assert.ok(!(await getPage(t, '/verify/xss-agent')).body.includes('<nav'));

    for (const ref of [
      `did:identity:${'a'.repeat(26)}`,
      'no-such-agent',
      '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      'ab'.repeat(32),
      'x'.repeat(300),
      '%00',
    ]) {
      const res = await getPage(t, `/agents/${ref}`);
      const html = assertSafePage(res, 404);
      assert.equal(text(html, 'error-message'), 'No agent has this DID.', ref);
    }
    // A path that is not UTF-8 is refused by the router itself, before any route: a 400, never a 5xx.
    assert.equal((await getPage(t, '/agents/%ff')).statusCode, 400);
    assert.deepEqual(await tableCounts(storage), before, 'pages write nothing');
  } finally {
    await t.app.close();
  }
});

async function inspect(t: TestApp, form: string): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/tokens/inspect',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: form,
  });
}

const formOf = (token: string): string => new URLSearchParams({ token }).toString();

eachEngine('token inspector: decoded header and claims, the server verdict, no nonce consumed', async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage, { env: ENV });
  try {
    const seeded = await seedConsole(injectCall(t.app), t.clock.now());
    const empty = assertSafePage(await getPage(t, '/tokens/inspect'), 200, "'self'");
    assert.match(empty, /<form method="post" action="\/tokens\/inspect">/);
    const issue = async (body: Record<string, unknown>): Promise<{ token: string; jti: string }> => {
      const res = await t.app.inject({ method: 'POST', url: '/api/registry/issue', headers: ADMIN, payload: body });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { token: string; jti: string };
    };
    const session = await issue({
      agent_name: seeded.signer.did,
      token_type: 'session',
      audience: 'shop',
      nonce: 'n-1',
    });
    const revoked = await issue({ agent_name: seeded.signer.did });
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/registry/revoke',
      headers: ADMIN,
      payload: { jti: revoked.jti },
    });
    assert.equal(r.statusCode, 200, r.body);
    const before = await tableCounts(storage);

    // A valid token, pasted with surrounding whitespace.
    const ok = await inspect(t, formOf(`\n ${seeded.token} \n`));
    let html = assertSafePage(ok, 200, "'self'");
    assert.equal(ok.headers['cache-control'], 'no-store');
    assert.equal(text(html, 'token-verdict'), 'valid');
    const claims = /<pre id="token-claims">([^<]*)<\/pre>/.exec(html)![1]!;
    assert.match(claims, new RegExp(`&#34;sub&#34;: &#34;${seeded.signer.did}&#34;`));
    assert.match(claims, /&#34;iss&#34;: &#34;https:\/\/vouch.test&#34;/);
    assert.match(/<pre id="token-header">([^<]*)<\/pre>/.exec(html)![1]!, /&#34;alg&#34;: &#34;ES256&#34;/);
    assert.match(html, /<dl id="token-times"><dt>iat<\/dt><dd>2026-01-01 00:00:00 UTC<\/dd>/);
    // Copied from a wrapped terminal: line breaks (CRLF from a form), spaces and tabs inside the token, which no
    // compact JWS holds; inspected without them.
    const wrapped = seeded.token.replace(
      /.{1,40}/g,
      (chunk, at: number) => `${chunk}${['\r\n', ' ', '\t', '\n'][(at / 40) % 4]}`,
    );
    html = assertSafePage(await inspect(t, formOf(`  ${wrapped}`)), 200, "'self'");
    assert.equal(text(html, 'token-verdict'), 'valid');
    assert.match(
      /<pre id="token-claims">([^<]*)<\/pre>/.exec(html)![1]!,
      new RegExp(`&#34;sub&#34;: &#34;${seeded.signer.did}&#34;`),
    );

    // The 65,536-character bound is the token's, counted without its whitespace: a token pasted with enough line
    // breaks and indentation to pass the bound as typed is still inspected.
    const pad = ' '.repeat(Math.ceil(70_000 / Math.ceil(seeded.token.length / 40)));
    const indented = seeded.token.replace(/.{1,40}/g, (chunk) => `${chunk}\r\n${pad}`);
    assert.ok(indented.length > 65_536);
    html = assertSafePage(await inspect(t, formOf(indented)), 200, "'self'");
    assert.equal(text(html, 'token-verdict'), 'valid');
    // Past the bound without its whitespace, it is refused as not a token, saying how long it may be.
    html = assertSafePage(await inspect(t, formOf('a'.repeat(60_000) + '\n' + 'a'.repeat(6_000))), 400, "'self'");
    assert.equal(text(html, 'token-verdict'), 'not a token');
    assert.match(text(html, 'token-error') ?? '', /65536/);

    // The session token is inspected twice; its audience can still present it once afterwards.
    for (let i = 0; i < 2; i++) {
      assert.equal(
        text(assertSafePage(await inspect(t, formOf(session.token)), 200, "'self'"), 'token-verdict'),
        'valid',
      );
    }
    const verify = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/registry/verify',
        headers: ADMIN,
        payload: { token: session.token, audience: 'shop', nonce: 'n-1' },
      });

    // Invalid tokens: 200 with the verdict and its code.
    const parts = seeded.token.split('.');
    const tamperedSig = `${parts[0]}.${parts[1]}.${parts[2]!.slice(0, -2)}${parts[2]!.endsWith('AA') ? 'BA' : 'AA'}`;
    for (const [token, code] of [
      [revoked.token, 'TOKEN_REVOKED'],
      [tamperedSig, 'JWT_SIGNATURE_INVALID'],
    ] as const) {
      html = assertSafePage(await inspect(t, formOf(token)), 200, "'self'");
      assert.equal(text(html, 'token-verdict'), 'invalid');
      assert.equal(text(html, 'token-code'), code);
    }
    // A token whose claims carry markup is decoded and shown escaped.
    const hostile = `${parts[0]}.${Buffer.from(JSON.stringify({ sub: XSS_NAME })).toString('base64url')}.${parts[2]}`;
    html = assertSafePage(await inspect(t, formOf(hostile)), 200, "'self'");
    assert.equal(text(html, 'token-verdict'), 'invalid');
    assert.ok(html.includes(escapeHtml(XSS_NAME)));

    // Not a token, nothing, two tokens, too long, another field: 400 HTML, never JSON, never a 5xx.
    for (const form of [
      formOf('not a token'),
      formOf('<script>alert(1)</script>'),
      formOf('   '),
      '',
      `${formOf(seeded.token)}&${formOf(seeded.token)}`,
      formOf('a'.repeat(70_000)),
      'other=1',
      '__proto__=x&token=y',
    ]) {
      html = assertSafePage(await inspect(t, form), 400, "'self'");
      assert.match(text(html, 'token-verdict') ?? '', /not a token/, form.slice(0, 40));
    }
    // A field repeated 100,000 times (200 KB) is parsed in one pass: 400 at once, the event loop never held (the
    // parser once copied the list of values at each repeat, minutes of CPU for this body). A larger body: 413.
    html = assertSafePage(await inspect(t, 'a&'.repeat(100_000)), 400, "'self'");
    assert.match(text(html, 'token-verdict') ?? '', /not a token/);
    const huge = await inspect(t, `token=${'a'.repeat(4 * 65_536)}`);
    assert.equal(huge.statusCode, 413);
    assert.equal((huge.json() as { code: string }).code, 'BODY_TOO_LARGE');
    // JSON works too (same route); the form parser exists for this route only.
    const viaJson = await t.app.inject({ method: 'POST', url: '/tokens/inspect', payload: { token: seeded.token } });
    assert.equal(text(assertSafePage(viaJson, 200, "'self'"), 'token-verdict'), 'valid');
    for (const url of ['/api/registry/verify', '/v1/identity/register']) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: formOf(seeded.token),
      });
      assert.equal(res.statusCode, 415, url);
      assert.equal((res.json() as { code: string }).code, 'UNSUPPORTED_MEDIA_TYPE');
    }
    assert.deepEqual(await tableCounts(storage), before, 'inspecting writes nothing');
    assert.equal((await verify()).statusCode, 200, 'the nonce was not consumed by the inspector');
    const replay = await verify();
    assert.equal(replay.statusCode, 401);
    assert.equal((replay.json() as { code: string }).code, 'NONCE_REPLAYED');
  } finally {
    await t.app.close();
  }
});

eachEngine('console pages add no CORS header beyond VOUCH_CORS_ORIGINS', async ({ open }) => {
  const storage = await open();
  const none = await makeApp(storage, { env: ENV });
  const some = await makeApp(storage, { env: { ...ENV, VOUCH_CORS_ORIGINS: 'https://app.example' }, kek: none.kek });
  try {
    for (const url of ['/', '/registry', '/tokens/inspect', `/agents/no-such-agent`]) {
      for (const origin of ['https://evil.example', 'null']) {
        for (const t of [none, some]) {
          const res = await t.app.inject({ method: 'GET', url, headers: { origin } });
          assert.equal(res.headers['access-control-allow-origin'], undefined, `${url} ${origin}`);
        }
      }
      const allowed = await some.app.inject({ method: 'GET', url, headers: { origin: 'https://app.example' } });
      assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example');
      assert.equal(allowed.headers['access-control-allow-credentials'], undefined);
    }
  } finally {
    await none.app.close();
    await some.app.close();
  }
});

eachEngine(
  'consumer mode: the registry page verifies the followed document against the pinned key',
  async ({ open, dataDir }) => {
    const root = await generateKeyPair('Ed25519');
    const { doc } = await signedGenesis(root, ['alpha', 'bravo', 'charlie']);
    const file = join(dataDir, 'agent-trust.json');
    await writeFile(file, JSON.stringify(doc));
    const t = await makeApp(await open(), {
      env: { ...ENV, VOUCH_TRUST_REGISTRY_URL: file, VOUCH_TRUST_REGISTRY_ROOT_KEY: root.publicKeyRegistry! },
      clock: new ManualClock(T0 + 5000),
    });
    try {
      const html = assertSafePage(await getPage(t, '/registry'), 200);
      assert.equal(text(html, 'registry-verdict'), 'valid');
      assert.equal(text(html, 'registry-sequence'), '1');
      assert.match(html, /consumer \(read-only\)/);
      assert.match(html, /<tr id="issuer-charlie">[\s\S]*?genesis \(root key\)/);
      assert.equal(text(assertSafePage(await getPage(t, '/'), 200), 'registry-threshold'), '2 of 3');
    } finally {
      await t.app.close();
    }
  },
);

eachEngine(
  'a VOUCH_PUBLIC_URL with a path: pages load, post and link under its path, on this origin; shared URLs stay absolute',
  async ({ open }) => {
    // A reverse proxy serves the server under https://vouch.test/vouch/ and strips the prefix.
    const t = await makeApp(await open(), { env: { ...ENV, VOUCH_PUBLIC_URL: 'https://vouch.test/vouch/' } });
    try {
      const seeded = await seedConsole(injectCall(t.app), t.clock.now());
      for (const url of ['/', '/registry', '/tokens/inspect', `/agents/${seeded.signer.did}`, '/agents/nobody']) {
        const html = (await getPage(t, url)).body;
        const urls = [...html.matchAll(/(?:href|src|action)="([^"]*)"/g)].map((m) => m[1]!);
        assert.ok(urls.includes('/vouch/assets/vouch.css'), `${url}: the stylesheet under the path`);
        assert.ok(urls.includes('/vouch/registry'), `${url}: the navigation under the path`);
        for (const u of urls) assert.ok(u.startsWith('/vouch/'), `${url}: a same-origin path under /vouch/: ${u}`);
      }
      const form = (await getPage(t, '/tokens/inspect')).body;
      assert.match(form, /<form method="post" action="\/vouch\/tokens\/inspect">/);
      // What is shown to be copied or shared stays absolute under VOUCH_PUBLIC_URL: the server, a token's issuer.
      assert.match((await getPage(t, '/')).body, /Server <code>https:\/\/vouch\.test\/vouch<\/code>/);
      const ok = await inspect(t, formOf(seeded.token));
      assert.match(ok.body, /&#34;iss&#34;: &#34;https:\/\/vouch.test\/vouch&#34;/);
    } finally {
      await t.app.close();
    }
  },
);
