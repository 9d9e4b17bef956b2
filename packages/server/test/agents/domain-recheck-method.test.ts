// Review: a re-check looked for a proof's token by DNS TXT first and then by both web methods, whatever method proved
// it, and never recorded which method found it. A proof the owner moved to another method was kept, but its stored
// method stayed the old one, and every re-check of a file or meta-tag proof sent a DNS query and fetched both the home
// page and the file. A re-check now tries the stored method first, then the two others together (DNS TXT preferred,
// then the meta tag, then the file), and stores the method that found the token. On loopback sites, with the app's
// pinned clock; the pass is called directly and the sites' logs count what was asked.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { createDomainChecker, recheckDomains } from '../../src/modules/agents/domain/index.ts';
import type { DomainMethod, RecheckSummary } from '../../src/modules/agents/domain/index.ts';
import { listAudit } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { startDomainSites } from '../net/fixtures/domain-sites.ts';
import type { DomainSites } from '../net/fixtures/domain-sites.ts';
import { domainWebApp } from './domain-web-app.ts';
import { bearer, registerSlug } from './helpers.ts';

const SITE = '127.0.0.6';
const DAY = 24 * 60 * 60 * 1000;
const FILE = '/.well-known/vouch-verify.txt';

let sites: DomainSites;
before(async () => {
  sites = await startDomainSites(SITE);
});
after(() => sites.close());

/** Publishes `token` for `domain` by `method` alone (the other two hold nothing). */
function publish(domain: string, method: DomainMethod, token: string): void {
  sites.dns.zone.set(domain, { A: [SITE] });
  if (method === 'dns_txt') sites.dns.zone.set(`_vouch-verify.${domain}`, { TXT: [token] });
  else sites.dns.zone.delete(`_vouch-verify.${domain}`);
  if (method === 'meta_tag') {
    sites.homes.set(domain, `<!doctype html><html><head><meta name="vouch-verify" content="${token}"></head></html>`);
  } else sites.homes.delete(domain);
  if (method === 'file') sites.files.set(domain, `${token}\n`);
  else sites.files.delete(domain);
}

/** What a re-check asked about `domain` from now on: TXT queries, and the paths fetched from its site. */
function traffic(domain: string): () => { txt: number; paths: string[] } {
  const queries = sites.dns.queries.length;
  const requests = sites.https.requests.length;
  return () => ({
    txt: sites.dns.queries.slice(queries).filter((q) => q.name === `_vouch-verify.${domain}` && q.type === 'TXT')
      .length,
    paths: sites.https.requests
      .slice(requests)
      .filter((r) => r.host === domain)
      .map((r) => r.path)
      .sort(),
  });
}

/** An agent proving `domain` by `method` through the routes, and a re-check pass on the same loopback sites. */
async function proven(storage: Storage, slug: string, domain: string, method: DomainMethod) {
  const t = await domainWebApp(storage, sites, SITE);
  const bot = await registerSlug(t.app, slug);
  const auth = bearer(bot.managementToken);
  const c = await t.app.inject({
    method: 'GET',
    url: `/t/v1/identity/${slug}/domain-challenge?domain=${domain}`,
    headers: auth,
  });
  const token = (c.json() as { challenge_token: string }).challenge_token;
  publish(domain, method, token);
  const v = await t.app.inject({
    method: 'POST',
    url: `/t/v1/identity/${slug}/verify-domain`,
    headers: auth,
    payload: { domain },
  });
  assert.equal(v.statusCode, 200, v.body);
  assert.deepEqual([v.json().verified, v.json().method], [true, method], v.body);
  const port = createAgentDomainPort(t.ctx);
  const checker = createDomainChecker(t.ctx.config, { connect: sites.https.connector(sites.pki.caPem) });
  return {
    ...t,
    bot,
    token,
    /** One re-check pass, a day after the last. */
    nextDay(): Promise<RecheckSummary> {
      t.clock.advance(DAY);
      return recheckDomains(t.ctx, port, checker, {
        onUnexpected: (err) => assert.fail(`unexpected: ${(err as Error).message}`),
      });
    },
    async stored(): Promise<string> {
      const row = await storage.db
        .selectFrom('agent_proofs')
        .select('method')
        .where('agent_id', '=', bot.id)
        .where('value', '=', domain)
        .executeTakeFirstOrThrow();
      return row.method;
    },
  };
}

const KEPT = { claimed: 1, kept: 1, lapsed: [], stale: 0, errors: 0 };

eachEngine(
  'a proof moved from DNS TXT to the file is kept, stored as the file, then re-checked by the file alone',
  async ({ open, engine }) => {
    const domain = `moved-${engine}.example.test`;
    const h = await proven(await open(), `moved-${engine}`, domain, 'dns_txt');
    try {
      // Still in DNS: the TXT record alone is asked.
      let seen = traffic(domain);
      assert.deepEqual(await h.nextDay(), KEPT);
      assert.deepEqual(seen(), { txt: 1, paths: [] });

      publish(domain, 'file', h.token);
      seen = traffic(domain);
      assert.deepEqual(await h.nextDay(), KEPT);
      assert.equal(await h.stored(), 'file', 'the method that found it');
      assert.equal(seen().txt, 1, 'the stored method first');
      assert.ok(seen().paths.includes(FILE));

      seen = traffic(domain);
      assert.deepEqual(await h.nextDay(), KEPT);
      assert.deepEqual(seen(), { txt: 0, paths: [FILE] }, 'no TXT query, no home page');
      const profile = (await h.app.inject({ method: 'GET', url: `/v1/identity/moved-${engine}` })).json();
      assert.equal(profile.verified_domain, domain);
      assert.equal(profile.domain_checked_at, new Date(h.clock.now()).toISOString());
    } finally {
      await h.app.close();
    }
  },
);

eachEngine(
  'a meta-tag proof is re-checked by its home page alone; moved to DNS TXT, it is stored as dns_txt',
  async ({ open, engine }) => {
    const domain = `meta-${engine}.example.test`;
    const h = await proven(await open(), `meta-${engine}`, domain, 'meta_tag');
    try {
      let seen = traffic(domain);
      assert.deepEqual(await h.nextDay(), KEPT);
      assert.deepEqual(seen(), { txt: 0, paths: ['/'] });
      assert.equal(await h.stored(), 'meta_tag');

      publish(domain, 'dns_txt', h.token);
      seen = traffic(domain);
      assert.deepEqual(await h.nextDay(), KEPT);
      assert.equal(await h.stored(), 'dns_txt');
      assert.ok(seen().paths.includes('/'), 'the stored method first');

      seen = traffic(domain);
      assert.deepEqual(await h.nextDay(), KEPT);
      assert.deepEqual(seen(), { txt: 1, paths: [] });
    } finally {
      await h.app.close();
    }
  },
);

eachEngine(
  'a file proof found by no method: every method is tried, each failure recorded, and it lapses after the grace',
  async ({ open, engine }) => {
    const storage = await open();
    const domain = `gone-${engine}.example.test`;
    const h = await proven(storage, `gone-${engine}`, domain, 'file');
    try {
      sites.files.delete(domain);
      for (const day of [1, 2]) {
        const seen = traffic(domain);
        assert.deepEqual(await h.nextDay(), KEPT, `day ${day}: within the grace`);
        assert.deepEqual(seen(), { txt: 1, paths: ['/', FILE] }, `day ${day}`);
        assert.equal(await h.stored(), 'file', 'a failure changes no method');
      }
      const summary = await h.nextDay();
      assert.deepEqual(summary.lapsed, [{ agentId: h.bot.id, domain }]);
      const [lapse] = await listAudit(storage.db, { action: 'agent.domain_lapsed' });
      assert.deepEqual(lapse?.details?.failures, {
        dns_txt: 'TXT_RECORD_MISSING',
        meta_tag: 'HTTP_STATUS',
        file: 'HTTP_STATUS',
      });
    } finally {
      await h.app.close();
    }
  },
);

// Review: a re-check that found the token by another method than the stored one stored the new method silently.
// The change is audited as `agent.domain_method_changed` (actor `domain-recheck`, the agent's DID), with the domain and
// both methods, never the token; a re-check that finds it where it was is not audited.
eachEngine(
  'a re-check that stores another method audits the domain, the old and the new method',
  async ({ open, engine }) => {
    const storage = await open();
    const domain = `audited-${engine}.example.test`;
    const h = await proven(storage, `audited-${engine}`, domain, 'file');
    const changes = () => listAudit(storage.db, { action: 'agent.domain_method_changed' });
    try {
      assert.deepEqual(await h.nextDay(), KEPT);
      assert.deepEqual(await changes(), [], 'found where it was: nothing to audit');

      publish(domain, 'dns_txt', h.token);
      assert.deepEqual(await h.nextDay(), KEPT);
      const entries = await changes();
      assert.equal(entries.length, 1);
      const [entry] = entries;
      assert.equal(entry!.actor, 'domain-recheck');
      assert.equal(entry!.target, h.bot.did);
      assert.equal(entry!.at, h.clock.now());
      assert.deepEqual(entry!.details, { domain, oldMethod: 'file', newMethod: 'dns_txt' });
      const row = await storage.db
        .selectFrom('audit_log')
        .select('details')
        .where('id', '=', entry!.id)
        .executeTakeFirstOrThrow();
      assert.ok(!String(row.details).includes(h.token), 'never the token');

      assert.deepEqual(await h.nextDay(), KEPT);
      assert.equal((await changes()).length, 1, 'found by dns_txt again: no new entry');
    } finally {
      await h.app.close();
    }
  },
);
