/**
 * Domain proofs are re-checked (docs/PROTOCOL.md, "Domain proofs"), on both engines, through the real agents module:
 * agents prove domains by DNS TXT through the routes, against a real DNS server (UDP, 127.0.0.1), and the re-check
 * pass runs the routes' checker (with the test connector, for the web methods against a real HTTPS server on
 * 127.0.0.7). Time moves with the app's clock; the pass is called directly instead of waiting for its timer, and the
 * DNS server's and HTTPS server's logs count what was checked.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { listAudit } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { createDomainChecker, recheckDomains } from '../../src/modules/agents/domain/index.ts';
import type { DomainChecker, RecheckSummary } from '../../src/modules/agents/domain/index.ts';
import type { ConnectTarget } from '../../src/net/index.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { startDomainSites } from '../net/fixtures/domain-sites.ts';
import type { DomainSites } from '../net/fixtures/domain-sites.ts';
import { admin, bearer, proveDomainByDns } from './helpers.ts';
import type { SlugAgent } from './helpers.ts';

const SITE = '127.0.0.7';
const DAY = 24 * 60 * 60 * 1000;

let sites: DomainSites;
before(async () => {
  sites = await startDomainSites(SITE);
});
after(() => sites.close());

interface Profile {
  verified_domain: string | null;
  domain_checked_at: string | null;
  verified_proofs: Array<{ type: string; value: string }>;
  identity_score: number;
}

interface Harness extends TestApp {
  /** The routes' checker, counting its calls; web fetches go through the test HTTPS server. */
  checker: DomainChecker;
  checks: string[];
  calls: ConnectTarget[];
  /** Registers `slug` and proves `domain` by DNS TXT through the routes; returns the agent and its token. */
  prove(slug: string, domain: string): Promise<{ agent: SlugAgent; token: string }>;
  pass(limit?: number): Promise<RecheckSummary>;
  profile(slug: string): Promise<Profile>;
}

async function harness(storage: Storage, env: Record<string, string> = {}, clock?: TestApp['clock']): Promise<Harness> {
  const t = await makeApp(storage, {
    env: { VOUCH_DNS_SERVERS: sites.dns.address, VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES: SITE, ...env },
    clock,
  });
  const calls: ConnectTarget[] = [];
  const checks: string[] = [];
  const real = createDomainChecker(t.ctx.config, { connect: sites.https.connector(sites.pki.caPem, calls) });
  const checker: DomainChecker = {
    check(domain, token, onUnexpected, first) {
      checks.push(domain);
      return real.check(domain, token, onUnexpected, first);
    },
  };
  const port = createAgentDomainPort(t.ctx);
  return {
    ...t,
    checker,
    checks,
    calls,
    prove: (slug, domain) => proveDomainByDns(t.app, sites.dns.zone, slug, domain),
    pass(limit) {
      return recheckDomains(t.ctx, port, checker, {
        limit,
        onUnexpected: (err) => assert.fail(`unexpected: ${(err as Error).message}`),
      });
    },
    async profile(slug) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/identity/${slug}` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Profile;
    },
  };
}

const txtQueries = (domain: string) => sites.dns.count(`_vouch-verify.${domain}`, 'TXT');
const iso = (ms: number) => new Date(ms).toISOString();

eachEngine(
  'a proven domain still published: a re-check after the interval keeps it and moves its last check',
  async ({ open, engine }) => {
    const h = await harness(await open());
    try {
      const domain = `kept-${engine}.example.test`;
      await h.prove('kept-agent', domain);
      const proven = await h.profile('kept-agent');
      assert.equal(proven.verified_domain, domain);
      assert.equal(proven.domain_checked_at, iso(T0), 'the proof is its first check');

      const queries = txtQueries(domain);
      h.clock.advance(DAY);
      assert.deepEqual(await h.pass(), { claimed: 1, kept: 1, lapsed: [], stale: 0, errors: 0 });
      assert.deepEqual(h.checks, [domain]);
      assert.equal(txtQueries(domain), queries + 1, 'the DNS server was asked again');
      const after = await h.profile('kept-agent');
      assert.equal(after.verified_domain, domain);
      assert.equal(after.domain_checked_at, iso(T0 + DAY));
      assert.equal(after.identity_score, proven.identity_score);
      const page = await h.app.inject({ method: 'GET', url: '/verify/kept-agent', headers: { accept: 'text/html' } });
      assert.match(page.body, /last checked 2026-01-02 00:00:00 UTC/);

      // Checked now: not again until another interval has passed.
      assert.equal((await h.pass()).claimed, 0);
      h.clock.advance(DAY);
      assert.equal((await h.pass()).kept, 1);
      assert.equal((await h.profile('kept-agent')).domain_checked_at, iso(T0 + 2 * DAY));
    } finally {
      await h.app.close();
    }
  },
);

eachEngine(
  'the record removed: failures within the grace keep the proof; past the grace it lapses, audited, and can be proven again',
  async ({ open, engine }) => {
    const storage = await open();
    const h = await harness(storage);
    try {
      const domain = `gone-${engine}.example.test`;
      const { agent, token } = await h.prove('gone-agent', domain);
      const proven = await h.profile('gone-agent');
      sites.dns.zone.delete(`_vouch-verify.${domain}`);

      for (const day of [1, 2]) {
        h.clock.advance(DAY);
        assert.deepEqual(await h.pass(), { claimed: 1, kept: 1, lapsed: [], stale: 0, errors: 0 }, `day ${day}`);
        const p = await h.profile('gone-agent');
        assert.equal(p.verified_domain, domain, `day ${day}: within the grace`);
        assert.equal(p.domain_checked_at, iso(T0 + day * DAY));
        assert.equal(p.identity_score, proven.identity_score);
      }
      assert.deepEqual(await listAudit(storage.db, { action: 'agent.domain_lapsed' }), []);

      h.clock.advance(DAY);
      assert.deepEqual(await h.pass(), {
        claimed: 1,
        kept: 0,
        lapsed: [{ agentId: agent.id, domain }],
        stale: 0,
        errors: 0,
      });
      const lapsed = await h.profile('gone-agent');
      assert.equal(lapsed.verified_domain, null);
      assert.equal(lapsed.domain_checked_at, null);
      assert.deepEqual(
        lapsed.verified_proofs.filter((p) => p.type === 'domain'),
        [],
      );
      assert.equal(lapsed.identity_score, proven.identity_score - 25);
      const page = await h.app.inject({ method: 'GET', url: '/verify/gone-agent', headers: { accept: 'text/html' } });
      assert.ok(!page.body.includes(domain), 'the agent page no longer shows the domain');

      const audit = await listAudit(storage.db, { action: 'agent.domain_lapsed' });
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.target, agent.did);
      assert.equal(audit[0]!.actor, 'domain-recheck', "the lapse is the re-check's act, not the admin's");
      assert.equal(audit[0]!.at, T0 + 3 * DAY);
      assert.deepEqual(audit[0]!.details, {
        domain,
        lastSucceededAt: iso(T0),
        failures: { dns_txt: 'TXT_RECORD_MISSING', meta_tag: 'DNS_NO_ADDRESS', file: 'DNS_NO_ADDRESS' },
        verifiedDomain: null,
      });
      assert.ok(!JSON.stringify(audit).includes(token), 'the token is not in the audit log');
      assert.equal((await h.pass()).claimed, 0, 'nothing left to check');

      // The challenge flow proves it again.
      const auth = bearer(agent.managementToken);
      const c = await h.app.inject({
        method: 'GET',
        url: `/v1/identity/gone-agent/domain-challenge?domain=${domain}`,
        headers: auth,
      });
      sites.dns.zone.set(`_vouch-verify.${domain}`, { TXT: [c.json().challenge_token] });
      const v = await h.app.inject({
        method: 'POST',
        url: '/v1/identity/gone-agent/verify-domain',
        headers: auth,
        payload: { domain },
      });
      assert.equal(v.json().verified, true, v.body);
      const again = await h.profile('gone-agent');
      assert.equal(again.verified_domain, domain);
      assert.equal(again.domain_checked_at, iso(T0 + 3 * DAY));
      assert.equal(again.identity_score, proven.identity_score);
    } finally {
      await h.app.close();
    }
  },
);

eachEngine('published again (by another method) before the grace ends: the proof is kept', async ({ open, engine }) => {
  const h = await harness(await open());
  try {
    const domain = `back-${engine}.example.test`;
    const { token } = await h.prove('back-agent', domain);
    sites.dns.zone.delete(`_vouch-verify.${domain}`);
    h.clock.advance(DAY);
    assert.equal((await h.pass()).kept, 1);
    h.clock.advance(DAY);
    assert.equal((await h.pass()).kept, 1);

    // The same token, now in the well-known file: any of the three methods holds it.
    sites.dns.zone.set(domain, { A: [SITE] });
    sites.files.set(domain, `${token}\n`);
    const requests = sites.https.requests.length;
    h.clock.advance(DAY);
    assert.deepEqual(await h.pass(), { claimed: 1, kept: 1, lapsed: [], stale: 0, errors: 0 });
    assert.ok(
      sites.https.requests.slice(requests).some((r) => r.host === domain && r.path === '/.well-known/vouch-verify.txt'),
    );
    assert.ok(h.calls.some((c) => c.address === SITE));
    const p = await h.profile('back-agent');
    assert.equal(p.verified_domain, domain);
    assert.equal(p.domain_checked_at, iso(T0 + 3 * DAY));

    // The grace now runs from this success: removed again, it lapses three days after it, not before.
    sites.files.delete(domain);
    h.clock.advance(2 * DAY);
    assert.equal((await h.pass()).kept, 1);
    assert.equal((await h.profile('back-agent')).verified_domain, domain);
    h.clock.advance(DAY);
    assert.equal((await h.pass()).lapsed.length, 1);
    assert.equal((await h.profile('back-agent')).verified_domain, null);
  } finally {
    await h.app.close();
  }
});

eachEngine('not due yet, or re-checking off: nothing is checked', async ({ open, engine }) => {
  const storage = await open();
  const h = await harness(storage);
  try {
    const domain = `early-${engine}.example.test`;
    await h.prove('early-agent', domain);
    const queries = txtQueries(domain);
    h.clock.advance(DAY - 1);
    assert.deepEqual(await h.pass(), { claimed: 0, kept: 0, lapsed: [], stale: 0, errors: 0 });
    assert.deepEqual(h.checks, []);
    assert.equal(txtQueries(domain), queries, 'the DNS server was not asked');
    assert.equal((await h.profile('early-agent')).domain_checked_at, iso(T0));

    // A shorter interval makes it due; `off` never checks, however old the proof.
    for (const [value, claimed] of [
      ['off', 0],
      ['0', 0],
      ['3600', 1],
    ] as const) {
      const other = await harness(storage, { VOUCH_DOMAIN_RECHECK_INTERVAL: value }, h.clock);
      try {
        assert.equal((await other.pass()).claimed, claimed, `VOUCH_DOMAIN_RECHECK_INTERVAL=${value}`);
        assert.equal(other.checks.length, claimed);
      } finally {
        await other.app.close();
      }
    }
  } finally {
    await h.app.close();
  }
});

eachEngine('a revoked agent is not re-checked', async ({ open, engine }) => {
  const h = await harness(await open());
  try {
    const domain = `revoked-${engine}.example.test`;
    const { agent } = await h.prove('revoked-agent', domain);
    const res = await h.app.inject({ method: 'POST', url: `/api/v1/agents/${agent.did}/revoke`, headers: admin });
    assert.equal(res.statusCode, 200, res.body);
    sites.dns.zone.delete(`_vouch-verify.${domain}`);
    const queries = txtQueries(domain);
    h.clock.advance(10 * DAY);
    assert.deepEqual(await h.pass(), { claimed: 0, kept: 0, lapsed: [], stale: 0, errors: 0 });
    assert.deepEqual(h.checks, []);
    assert.equal(txtQueries(domain), queries);
  } finally {
    await h.app.close();
  }
});

eachEngine(
  'two apps on one database running passes at once check each due proof exactly once',
  async ({ open, engine }) => {
    const a = await harness(await open());
    const b = await harness(await open(), {}, a.clock);
    try {
      const domains = Array.from({ length: 12 }, (_, i) => `shared${i}-${engine}.example.test`);
      for (const [i, domain] of domains.entries()) {
        await a.prove(`shared-agent-${i}`, domain);
        a.clock.advance(7_000); // verify-domain allows 10 a minute per client
      }
      const before = new Map(domains.map((d) => [d, txtQueries(d)]));
      a.clock.advance(DAY);

      // Limits of 5: the first round claims at most 10, the second the rest; then nothing is due.
      const summaries: RecheckSummary[] = [];
      for (let round = 0; round < 3; round++) summaries.push(...(await Promise.all([a.pass(5), b.pass(5)])));
      assert.ok(
        summaries.every((s) => s.claimed <= 5 && s.errors === 0 && s.stale === 0),
        JSON.stringify(summaries),
      );
      assert.equal(
        summaries.reduce((n, s) => n + s.claimed, 0),
        domains.length,
      );
      assert.equal(
        summaries.reduce((n, s) => n + s.kept, 0),
        domains.length,
      );
      assert.deepEqual(
        [...a.checks, ...b.checks].sort(),
        [...domains].sort(),
        'each domain was checked once, by one of the apps',
      );
      for (const d of domains) assert.equal(txtQueries(d), before.get(d)! + 1, d);
      assert.ok(a.checks.length > 0 && b.checks.length > 0, 'both apps took part');
      for (const [i] of domains.entries()) {
        assert.equal((await a.profile(`shared-agent-${i}`)).domain_checked_at, iso(a.clock.now()));
      }
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
  { timeout: 60_000 },
);
