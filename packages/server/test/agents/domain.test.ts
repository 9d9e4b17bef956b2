/**
 * Domain verification routes on both engines, against a real DNS server (UDP, 127.0.0.1) and a real HTTPS server
 * on 127.0.0.2:443 (a throwaway openssl CA). 127.0.0.2 is a "public test address"; every other loopback address
 * keeps its refusal. The routes run in a test-only module, under the prefix /t, with an in-test port (agents,
 * authorization and recorded proofs), so these tests do not depend on the agents module. Callers authenticate with
 * the admin key; the port decides who may manage which agent.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../src/errors.ts';
import type { VouchModule } from '../../src/module.ts';
import type { ConnectTarget } from '../../src/net/index.ts';
import type { Principal } from '../../src/http/policy.ts';
import type { AgentDomainPort, AgentRef } from '../../src/modules/agents/domain-port.ts';
import type { Db } from '../../src/modules/agents/store.ts';
import { registerDomainRoutes } from '../../src/modules/agents/domain/index.ts';
import { makeApp, tableCounts, T0, TEST_ADMIN_KEY } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { TestDnsServer } from '../net/fixtures/dns-server.ts';
import { TestHttpsServer } from '../net/fixtures/https-server.ts';
import { makeTestPki } from '../net/fixtures/pki.ts';
import type { TestPki } from '../net/fixtures/pki.ts';

const SITE = '127.0.0.2';
const DAY = 24 * 60 * 60 * 1000;
const admin = { 'x-api-key': TEST_ADMIN_KEY };

let dns: TestDnsServer;
let pki: TestPki;
let https: TestHttpsServer;
/** Host name → what that web site answers. */
const sites = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();

before(async () => {
  dns = await TestDnsServer.start();
  pki = await makeTestPki(['*.example.test', '*.inside.example.test']);
  https = await TestHttpsServer.start(SITE, pki);
  https.handler = (req, res) => {
    const site = sites.get((req.headers.host ?? '').toLowerCase());
    if (site) return site(req, res);
    res.statusCode = 404;
    res.end();
  };
});
after(async () => {
  await https.close();
  await dns.close();
  await pki.cleanup();
});

class TestPort implements AgentDomainPort {
  readonly agents: AgentRef[] = [
    { id: 'a'.repeat(26), did: `did:identity:${'a'.repeat(26)}`, slug: 'my-agent', status: 'claimed' },
    { id: 'b'.repeat(26), did: `did:identity:${'b'.repeat(26)}`, slug: 'not-mine', status: 'unclaimed' },
    { id: 'c'.repeat(26), did: `did:identity:${'c'.repeat(26)}`, slug: 'gone-agent', status: 'revoked' },
  ];
  readonly proofs: Array<{ agentId: string; domain: string; method: string; atMs: number }> = [];
  readonly checked: Array<{ principal: Principal | null; agent: string }> = [];
  /** Calls of holdCaller: the routes hold the caller's credential in the transaction that writes. */
  held = 0;

  async resolve(idOrSlug: string): Promise<AgentRef> {
    const a = this.agents.find((x) => [x.id, x.did, x.slug].includes(idOrSlug));
    if (!a) throw new ApiError('NOT_FOUND', 'No agent has this slug, DID or id.');
    return a;
  }
  async assertCanManage(principal: Principal | null, agent: AgentRef): Promise<void> {
    this.checked.push({ principal, agent: agent.slug ?? agent.id });
    if (principal === null || agent.slug === 'not-mine') throw new ApiError('FORBIDDEN', 'Not your agent.');
  }
  async holdCaller(_db: Db, _req: unknown, agent: AgentRef): Promise<AgentRef> {
    this.held++;
    return agent;
  }
  async assertRoomForDomainProof(): Promise<void> {}
  async recordDomainProof(
    agentId: string,
    domain: string,
    method: string,
    atMs: number,
    _token?: string,
    hold?: (trx: Db) => Promise<void>,
  ): Promise<{ method: 'dns_txt' | 'meta_tag' | 'file'; verifiedAt: number }> {
    await hold?.(undefined as unknown as Db);
    this.proofs.push({ agentId, domain, method, atMs });
    return { method: method as 'dns_txt' | 'meta_tag' | 'file', verifiedAt: atMs };
  }
}

/** A verify-domain answer, or an error body. */
interface VerifyBody {
  verified: boolean;
  domain: string;
  method?: string;
  verified_at?: string;
  errors: Record<'dns_txt' | 'meta_tag' | 'file', { code: string; error: string }>;
  code?: string;
}

interface Harness extends TestApp {
  port: TestPort;
  calls: ConnectTarget[];
  challenge(domain: string, agent?: string): Promise<{ challenge_token: string; domain: string; expires_at: string }>;
  verify(domain: string, agent?: string, body?: Record<string, unknown>): Promise<{ status: number; body: VerifyBody }>;
}

async function harness(storage: Parameters<typeof makeApp>[0]): Promise<Harness> {
  const port = new TestPort();
  const calls: ConnectTarget[] = [];
  const module: VouchModule = {
    name: 'domain-test',
    async routes(app, ctx) {
      await app.register(
        async (child) => registerDomainRoutes(child, ctx, port, { connect: https.connector(pki.caPem, calls) }),
        {
          prefix: '/t',
        },
      );
    },
  };
  const t = await makeApp(storage, {
    env: { VOUCH_DNS_SERVERS: dns.address, VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES: SITE },
    modules: [module],
  });
  return {
    ...t,
    port,
    calls,
    async challenge(domain, agent = 'my-agent') {
      const res = await t.app.inject({
        method: 'GET',
        url: `/t/v1/identity/${agent}/domain-challenge?domain=${encodeURIComponent(domain)}`,
        headers: admin,
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    },
    async verify(domain, agent = 'my-agent', body = { domain }) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/t/v1/identity/${agent}/verify-domain`,
        headers: admin,
        payload: body,
      });
      return { status: res.statusCode, body: res.json() };
    },
  };
}

eachEngine(
  'a challenge: 24 h token, three methods, the same token until it expires, then a new one',
  async ({ open }) => {
    const h = await harness(await open());
    try {
      const res = await h.app.inject({
        method: 'GET',
        url: '/t/v1/identity/my-agent/domain-challenge?domain=Agent.Example.TEST.',
        headers: admin,
      });
      assert.equal(res.statusCode, 200, res.body);
      const c = res.json();
      const token: string = c.challenge_token;
      assert.match(token, /^[0-9a-f]{48}$/);
      assert.deepEqual(c, {
        agent_slug: 'my-agent',
        did: `did:identity:${'a'.repeat(26)}`,
        domain: 'agent.example.test',
        challenge_token: token,
        verification_methods: [
          {
            method: 'dns_txt',
            instruction: `Add TXT record: _vouch-verify.agent.example.test = ${token}`,
            name: '_vouch-verify.agent.example.test',
            value: token,
          },
          {
            method: 'meta_tag',
            instruction: `Add to <head> of https://agent.example.test/: <meta name="vouch-verify" content="${token}">`,
            url: 'https://agent.example.test/',
            tag: `<meta name="vouch-verify" content="${token}">`,
          },
          {
            method: 'file',
            instruction: `Create file: https://agent.example.test/.well-known/vouch-verify.txt containing: ${token}`,
            url: 'https://agent.example.test/.well-known/vouch-verify.txt',
            content: token,
          },
        ],
        expires_at: new Date(T0 + DAY).toISOString(),
      });
      assert.deepEqual(h.port.checked.at(-1), { principal: { caller: 'admin', id: 'admin' }, agent: 'my-agent' });

      // Asking again (by DID or id too) returns the same token; a day later, a new one.
      h.clock.advance(DAY - 1);
      assert.equal((await h.challenge('agent.example.test', `did:identity:${'a'.repeat(26)}`)).challenge_token, token);
      assert.equal((await h.challenge('agent.example.test', 'a'.repeat(26))).challenge_token, token);
      h.clock.advance(1);
      const renewed = await h.challenge('agent.example.test');
      assert.notEqual(renewed.challenge_token, token);
      assert.equal(renewed.expires_at, new Date(T0 + 2 * DAY).toISOString());
      // Concurrent requests all get one token.
      const many = await Promise.all([1, 2, 3, 4].map(() => h.challenge('other.example.test')));
      assert.equal(new Set(many.map((m) => m.challenge_token)).size, 1);

      const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json();
      for (const [path, method] of [
        ['/t/v1/identity/{slug}/domain-challenge', 'get'],
        ['/t/v1/identity/{slug}/verify-domain', 'post'],
      ] as const) {
        assert.deepEqual(doc.paths[path][method].security, [
          { managementToken: [] },
          { ownerToken: [] },
          { adminKey: [] },
        ]);
      }
    } finally {
      await h.app.close();
    }
  },
);

eachEngine(
  'refused challenge and verify requests answer 4xx with a code, write nothing and look nothing up',
  async ({ open }) => {
    const storage = await open();
    const h = await harness(storage);
    try {
      const before = await tableCounts(storage);
      const queries = dns.queries.length;
      const get = (agent: string, domain: string, headers: Record<string, string> = admin) =>
        h.app.inject({
          method: 'GET',
          url: `/t/v1/identity/${agent}/domain-challenge?domain=${encodeURIComponent(domain)}`,
          headers,
        });
      const expect = async (p: Promise<{ statusCode: number; body: string }>, status: number, code: string) => {
        const res = await p;
        assert.equal(res.statusCode, status, res.body);
        assert.equal(JSON.parse(res.body).code, code, res.body);
      };
      await expect(get('my-agent', 'a.example.test', {}), 401, 'UNAUTHORIZED');
      await expect(
        get('my-agent', 'a.example.test', { 'x-api-key': 'wrong-key-0123456789abcdef' }),
        401,
        'UNAUTHORIZED',
      );
      await expect(get('not-mine', 'a.example.test'), 403, 'FORBIDDEN');
      await expect(get('gone-agent', 'a.example.test'), 403, 'AGENT_REVOKED');
      await expect(get('nobody', 'a.example.test'), 404, 'NOT_FOUND');
      for (const bad of [
        '127.0.0.1',
        '2130706433',
        'localhost',
        'example.test:443',
        'https://example.test/',
        'com',
        '*.example.test',
        'a..b.test',
      ]) {
        await expect(get('my-agent', bad), 400, 'DOMAIN_INVALID');
      }
      // The sentence starts with the field, as the route's other refusals do (it said `domain`, as no path names it).
      assert.match((await get('my-agent', 'localhost')).json().error, /^querystring\.domain /);
      await expect(
        h.app.inject({ method: 'GET', url: '/t/v1/identity/my-agent/domain-challenge', headers: admin }),
        400,
        'VALIDATION_FAILED',
      );
      const post = (agent: string, payload: unknown, headers: Record<string, string> = admin) =>
        h.app.inject({
          method: 'POST',
          url: `/t/v1/identity/${agent}/verify-domain`,
          headers,
          payload: payload as object,
        });
      await expect(post('my-agent', { domain: 'a.example.test' }, {}), 401, 'UNAUTHORIZED');
      await expect(post('not-mine', { domain: 'a.example.test' }), 403, 'FORBIDDEN');
      await expect(post('gone-agent', { domain: 'a.example.test' }), 403, 'AGENT_REVOKED');
      await expect(post('my-agent', { domain: '10.0.0.1' }), 400, 'DOMAIN_INVALID');
      assert.match((await post('my-agent', { domain: '10.0.0.1' })).json().error, /^body\.domain /);
      await expect(post('my-agent', {}), 400, 'VALIDATION_FAILED');
      await expect(post('my-agent', { domain: 'a.example.test', extra: 1 }), 400, 'VALIDATION_FAILED');
      await expect(post('my-agent', { domain: 42 }), 400, 'VALIDATION_FAILED');
      assert.equal((await post('my-agent', { domain: 42 })).json().field, 'body.domain', 'the field is named');
      await expect(post('my-agent', { domain: 'a.example.test' }), 404, 'DOMAIN_CHALLENGE_NOT_FOUND');
      await expect(post('my-agent', { agent_slug: 'not-mine', domain: 'a.example.test' }), 400, 'VALIDATION_FAILED');
      assert.deepEqual(await tableCounts(storage), before, 'nothing was written');
      assert.equal(dns.queries.length, queries, 'nothing was looked up');
      assert.deepEqual(h.calls, []);
      assert.deepEqual(h.port.proofs, []);
    } finally {
      await h.app.close();
    }
  },
);

eachEngine(
  'verified by DNS TXT, the token split into several character-strings among other records',
  async ({ open }) => {
    const h = await harness(await open());
    try {
      const { challenge_token: token } = await h.challenge('dns.example.test');
      dns.zone.set('_vouch-verify.dns.example.test', {
        TXT: ['v=spf1 -all', [token.slice(0, 5), token.slice(5, 30), token.slice(30)]],
      });
      h.clock.advance(60_000);
      const r = await h.verify('DNS.example.test');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, {
        verified: true,
        domain: 'dns.example.test',
        method: 'dns_txt',
        verified_at: new Date(T0 + 60_000).toISOString(),
      });
      assert.deepEqual(h.port.proofs, [
        { agentId: 'a'.repeat(26), domain: 'dns.example.test', method: 'dns_txt', atMs: T0 + 60_000 },
      ]);
      // The challenge's and the proof's transactions each held the caller's credential.
      assert.equal(h.port.held, 2);
      assert.deepEqual(h.calls, [], 'DNS proved it: no web request was made');
    } finally {
      await h.app.close();
    }
  },
);

eachEngine("verify-domain's agent_slug may name the path's agent by its DID or internal id", async ({ open }) => {
  const h = await harness(await open());
  try {
    // The path takes a slug, DID or id; so does the seed's agent_slug, which must name the same agent.
    const { challenge_token: token } = await h.challenge('named.example.test');
    dns.zone.set('_vouch-verify.named.example.test', { TXT: [token] });
    for (const name of [`did:identity:${'a'.repeat(26)}`, 'a'.repeat(26)]) {
      const r = await h.verify('named.example.test', 'my-agent', { agent_slug: name, domain: 'named.example.test' });
      assert.equal(r.status, 200, `${name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.verified, true, name);
    }
    assert.equal(h.port.proofs.length, 2);
  } finally {
    await h.app.close();
  }
});

eachEngine(
  'verified by the meta tag in the head of https://<domain>/, over TLS to the checked address',
  async ({ open }) => {
    const h = await harness(await open());
    try {
      const { challenge_token: token } = await h.challenge('meta.example.test');
      dns.zone.set('meta.example.test', { A: [SITE] });
      sites.set('meta.example.test', (req, res) => {
        if (req.url !== '/') return void res.writeHead(404).end();
        res.setHeader('content-type', 'text/html');
        res.end(
          `<html><head><title>x</title><meta name="vouch-verify" content="${token}"></head><body>hi</body></html>`,
        );
      });
      const r = await h.verify('meta.example.test', 'my-agent', {
        agent_slug: 'my-agent',
        domain: 'meta.example.test',
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.verified, true);
      assert.equal(r.body.method, 'meta_tag');
      assert.equal(h.port.proofs.length, 1);
      assert.ok(
        h.calls.length > 0 &&
          h.calls.every((c) => c.address === SITE && c.port === 443 && c.hostname === 'meta.example.test'),
      );
      assert.ok(
        https.requests.some(
          (q) => q.host === 'meta.example.test' && q.servername === 'meta.example.test' && q.path === '/',
        ),
      );
    } finally {
      await h.app.close();
    }
  },
);

eachEngine(
  'verified by the file https://<domain>/.well-known/vouch-verify.txt, also after a redirect within the domain',
  async ({ open }) => {
    const h = await harness(await open());
    try {
      const { challenge_token: token } = await h.challenge('file.example.test');
      dns.zone.set('file.example.test', { A: [SITE] });
      sites.set('file.example.test', (req, res) => {
        if (req.url === '/.well-known/vouch-verify.txt') return void res.end(`${token}\n`);
        res.writeHead(404).end();
      });
      const r = await h.verify('file.example.test');
      assert.deepEqual([r.status, r.body.verified, r.body.method], [200, true, 'file']);

      const inside = await h.challenge('inside.example.test');
      dns.zone.set('inside.example.test', { A: [SITE] });
      dns.zone.set('www.inside.example.test', { A: [SITE] });
      sites.set(
        'inside.example.test',
        (req, res) => void res.writeHead(301, { location: `https://www.inside.example.test${req.url}` }).end(),
      );
      sites.set('www.inside.example.test', (req, res) => {
        if (req.url === '/.well-known/vouch-verify.txt') return void res.end(inside.challenge_token);
        res.writeHead(404).end();
      });
      const moved = await h.verify('inside.example.test');
      assert.deepEqual([moved.body.verified, moved.body.method], [true, 'file']);
    } finally {
      await h.app.close();
    }
  },
);

eachEngine('a wrong or misplaced token proves nothing; each method says why', async ({ open }) => {
  const h = await harness(await open());
  try {
    await h.challenge('wrong.example.test');
    dns.zone.set('wrong.example.test', { A: [SITE] });
    dns.zone.set('_vouch-verify.wrong.example.test', { TXT: ['not-the-token'] });
    sites.set('wrong.example.test', (req, res) => {
      if (req.url === '/') return void res.end('<head><meta name="vouch-verify" content="not-the-token"></head>');
      if (req.url === '/.well-known/vouch-verify.txt') return void res.end('not-the-token');
      res.writeHead(404).end();
    });
    const r = await h.verify('wrong.example.test');
    assert.equal(r.status, 200);
    assert.equal(r.body.verified, false);
    assert.deepEqual(
      Object.fromEntries(Object.entries(r.body.errors).map(([m, e]) => [m, (e as { code: string }).code])),
      { dns_txt: 'TOKEN_MISMATCH', meta_tag: 'TOKEN_MISMATCH', file: 'TOKEN_MISMATCH' },
    );

    // The right token, but only in the page body, and no TXT record and no file at all.
    const { challenge_token: token } = await h.challenge('body.example.test');
    dns.zone.set('body.example.test', { A: [SITE] });
    sites.set('body.example.test', (req, res) => {
      if (req.url === '/')
        return void res.end(`<head></head><body><meta name="vouch-verify" content="${token}"></body>`);
      res.writeHead(404).end();
    });
    const misplaced = await h.verify('body.example.test');
    assert.equal(misplaced.body.verified, false);
    assert.equal(misplaced.body.errors.dns_txt.code, 'TXT_RECORD_MISSING');
    assert.equal(misplaced.body.errors.meta_tag.code, 'META_TAG_MISSING');
    assert.equal(misplaced.body.errors.file.code, 'HTTP_STATUS');
    assert.deepEqual(h.port.proofs, []);
  } finally {
    await h.app.close();
  }
});

eachEngine('a meta tag past the first 64 KiB of the page is not read, and the answer says so', async ({ open }) => {
  const h = await harness(await open());
  try {
    // Inline critical CSS before the tag, as page builders write it: the tag is in the head, but past what is read.
    const { challenge_token: token } = await h.challenge('long-head.example.test');
    dns.zone.set('long-head.example.test', { A: [SITE] });
    const css = `body{margin:0}\n`.repeat(5000); // 75,000 bytes
    sites.set('long-head.example.test', (req, res) => {
      if (req.url === '/') {
        return void res.end(`<head><style>${css}</style><meta name="vouch-verify" content="${token}"></head>`);
      }
      res.writeHead(404).end();
    });
    const r = await h.verify('long-head.example.test');
    assert.equal(r.body.verified, false);
    assert.equal(r.body.errors.meta_tag.code, 'META_TAG_MISSING');
    // Not "has no tag in its head", which the page's owner can see is untrue.
    assert.match(r.body.errors.meta_tag.error, /only the first 65536 bytes of the response are read/);
    assert.deepEqual(h.port.proofs, []);

    // A page within the cap answers as before.
    sites.set('long-head.example.test', (_req, res) => void res.end('<head><title>x</title></head>'));
    const short = await h.verify('long-head.example.test');
    assert.equal(short.body.errors.meta_tag.code, 'META_TAG_MISSING');
    assert.doesNotMatch(short.body.errors.meta_tag.error, /65536 bytes/);
  } finally {
    await h.app.close();
  }
});

eachEngine('an expired challenge is refused (409) without any lookup; a new one can be requested', async ({ open }) => {
  const h = await harness(await open());
  try {
    const { challenge_token: token } = await h.challenge('late.example.test');
    dns.zone.set('_vouch-verify.late.example.test', { TXT: [token] });
    h.clock.advance(DAY);
    const asked = dns.count('_vouch-verify.late.example.test');
    const r = await h.verify('late.example.test');
    assert.equal(r.status, 409);
    assert.equal(r.body.code, 'DOMAIN_CHALLENGE_EXPIRED');
    assert.equal(dns.count('_vouch-verify.late.example.test'), asked, 'nothing was looked up');
    assert.deepEqual(h.port.proofs, []);
    const fresh = await h.challenge('late.example.test');
    dns.zone.set('_vouch-verify.late.example.test', { TXT: [fresh.challenge_token] });
    assert.equal((await h.verify('late.example.test')).body.verified, true);
  } finally {
    await h.app.close();
  }
});

eachEngine(
  'SSRF through a domain: names resolving to loopback or link-local and redirects to loopback never connect',
  async ({ open }) => {
    const h = await harness(await open());
    try {
      await h.challenge('loop.example.test');
      await h.challenge('metadata.example.test');
      await h.challenge('bounce.example.test');
      await h.challenge('away.example.test');
      dns.zone.set('loop.example.test', { A: ['127.0.0.1'] });
      dns.zone.set('metadata.example.test', { A: ['169.254.169.254'], AAAA: ['::ffff:169.254.169.254'] });
      for (const domain of ['loop.example.test', 'metadata.example.test']) {
        const r = await h.verify(domain);
        assert.equal(r.body.verified, false);
        assert.equal(r.body.errors.meta_tag.code, 'ADDRESS_REFUSED');
        assert.equal(r.body.errors.file.code, 'ADDRESS_REFUSED');
        assert.doesNotMatch(
          JSON.stringify(r.body),
          /169\.254\.169\.254|127\.0\.0\.1/,
          'the resolved address is not echoed',
        );
      }
      assert.equal(h.calls.length, 0, 'the connector was never called');

      dns.zone.set('bounce.example.test', { A: [SITE] });
      sites.set(
        'bounce.example.test',
        (req, res) => void res.writeHead(302, { location: `https://127.0.0.1${req.url}` }).end(),
      );
      // An address is off the domain: the redirect is not followed.
      const bounced = await h.verify('bounce.example.test');
      assert.equal(bounced.body.errors.meta_tag.code, 'REDIRECT_OFF_DOMAIN');
      assert.equal(bounced.body.errors.file.code, 'REDIRECT_OFF_DOMAIN');
      // A subdomain is followed, and its loopback address refused.
      dns.zone.set('inner.bounce.example.test', { A: ['127.0.0.1'] });
      sites.set(
        'bounce.example.test',
        (req, res) => void res.writeHead(302, { location: `https://inner.bounce.example.test${req.url}` }).end(),
      );
      const inner = await h.verify('bounce.example.test');
      assert.equal(inner.body.errors.meta_tag.code, 'ADDRESS_REFUSED');
      assert.equal(inner.body.errors.file.code, 'ADDRESS_REFUSED');
      assert.ok(
        h.calls.every((c) => c.address === SITE),
        'only the vetted site was connected',
      );

      // An open redirect to another domain that serves this token proves nothing.
      const away = await h.challenge('away.example.test');
      dns.zone.set('away.example.test', { A: [SITE] });
      dns.zone.set('elsewhere.example.test', { A: [SITE] });
      sites.set(
        'away.example.test',
        (req, res) => void res.writeHead(302, { location: `https://elsewhere.example.test${req.url}` }).end(),
      );
      sites.set('elsewhere.example.test', (req, res) => {
        if (req.url === '/.well-known/vouch-verify.txt') return void res.end(away.challenge_token);
        res.end(`<head><meta name="vouch-verify" content="${away.challenge_token}"></head>`);
      });
      const off = await h.verify('away.example.test');
      assert.equal(off.body.verified, false);
      assert.equal(off.body.errors.file.code, 'REDIRECT_OFF_DOMAIN');
      assert.equal(off.body.errors.meta_tag.code, 'REDIRECT_OFF_DOMAIN');
      assert.deepEqual(h.port.proofs, []);
    } finally {
      await h.app.close();
    }
  },
);

eachEngine('verify-domain is rate-limited per client address (10 a minute)', async ({ open }) => {
  const h = await harness(await open());
  try {
    for (let i = 0; i < 10; i++) assert.equal((await h.verify('none.example.test')).status, 404);
    const limited = await h.app.inject({
      method: 'POST',
      url: '/t/v1/identity/my-agent/verify-domain',
      headers: admin,
      payload: { domain: 'none.example.test' },
    });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0);
  } finally {
    await h.app.close();
  }
});
