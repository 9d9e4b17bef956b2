// Review: at MAX_DOMAIN_PROOFS, verifying a new domain was refused (409 DOMAIN_PROOF_LIMIT) only after its DNS and web
// checks had run: a refused request still sent a DNS query and two HTTPS requests to the domain. The limit is now
// checked before any network traffic, and again inside the write, so two new domains verified at once at one below
// the limit cannot both be recorded. A domain the agent already holds a proof of is proven again at the limit.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { MAX_DOMAIN_PROOFS } from '../../src/modules/agents/domain-proof-store.ts';
import type { Storage } from '../../src/storage/index.ts';
import type { TestApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { startDomainSites } from '../net/fixtures/domain-sites.ts';
import type { DomainSites } from '../net/fixtures/domain-sites.ts';
import { domainWebApp } from './domain-web-app.ts';
import { bearer, codeOf, registerSlug } from './helpers.ts';
import type { SlugAgent } from './helpers.ts';

const SITE = '127.0.0.5';

let sites: DomainSites;
before(async () => {
  sites = await startDomainSites(SITE);
});
after(() => sites.close());

/** An agent holding `held` proofs (recorded through the port), and a way to publish a new domain's file and verify it. */
async function collector(storage: Storage, slug: string, held: number) {
  const t: TestApp = await domainWebApp(storage, sites, SITE);
  const bot: SlugAgent = await registerSlug(t.app, slug);
  const port = createAgentDomainPort(t.ctx);
  const domains = Array.from({ length: held }, (_, i) => `${slug}-${i}.example.test`);
  for (const d of domains) await port.recordDomainProof(bot.id, d, 'file', t.clock.now(), `token-${d}`);
  const auth = bearer(bot.managementToken);
  /** Requests a challenge for `domain` and publishes its token in the well-known file on the loopback site. */
  const publish = async (domain: string) => {
    const c = await t.app.inject({
      method: 'GET',
      url: `/t/v1/identity/${slug}/domain-challenge?domain=${domain}`,
      headers: auth,
    });
    assert.equal(c.statusCode, 200, c.body);
    sites.dns.zone.set(domain, { A: [SITE] });
    sites.files.set(domain, (c.json() as { challenge_token: string }).challenge_token);
  };
  const verify = (domain: string) =>
    t.app.inject({ method: 'POST', url: `/t/v1/identity/${slug}/verify-domain`, headers: auth, payload: { domain } });
  const proven = async () =>
    (await storage.db.selectFrom('agent_proofs').select('value').where('agent_id', '=', bot.id).execute())
      .map((r) => r.value)
      .sort();
  return { ...t, bot, port, domains, publish, verify, proven };
}

/** Requests and DNS questions that named `domain`, from now on. */
function trafficTo(domain: string): () => { https: number; dns: number } {
  const https = sites.https.requests.length;
  const dns = sites.dns.queries.length;
  return () => ({
    https: sites.https.requests.slice(https).filter((r) => r.host === domain).length,
    dns: sites.dns.queries.slice(dns).filter((q) => q.name === domain || q.name.endsWith(`.${domain}`)).length,
  });
}

eachEngine('at the limit, a new domain is refused before any DNS query or web request', async ({ open, engine }) => {
  const storage = await open();
  const c = await collector(storage, `full-${engine}`, MAX_DOMAIN_PROOFS - 1);
  try {
    const extra = `full-${engine}-extra.example.test`;
    // Its challenge is issued one below the limit (at the limit the challenge itself is refused), then the last proof.
    await c.publish(extra);
    const last = `full-${engine}-last.example.test`;
    await c.port.recordDomainProof(c.bot.id, last, 'file', c.clock.now(), `token-${last}`);
    c.domains.push(last);
    const traffic = trafficTo(extra);
    const refused = await c.verify(extra);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(codeOf(refused), 'DOMAIN_PROOF_LIMIT');
    assert.deepEqual(traffic(), { https: 0, dns: 0 }, 'the refused domain saw no traffic');
    assert.deepEqual(await c.proven(), [...c.domains].sort(), 'nothing was recorded');
    // Without a challenge too: the limit, not the missing challenge, is what stands in the way.
    const unasked = await c.verify(`full-${engine}-unasked.example.test`);
    assert.equal(codeOf(unasked), 'DOMAIN_PROOF_LIMIT', unasked.body);

    // A domain the agent holds is proven again at the limit: its checks run, and it answers 200.
    const held = c.domains[0]!;
    await c.publish(held);
    const again = trafficTo(held);
    const res = await c.verify(held);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual([res.json().verified, res.json().method], [true, 'file']);
    assert.ok(again().https > 0, 'the held domain was checked');
    assert.deepEqual(await c.proven(), [...c.domains].sort());
  } finally {
    await c.app.close();
  }
});

eachEngine(
  'one below the limit, two new domains verified at once: one is recorded, the other is 409',
  async ({ open, engine }) => {
    const storage = await open();
    const c = await collector(storage, `race-${engine}`, MAX_DOMAIN_PROOFS - 1);
    const handler = sites.https.handler;
    try {
      const pair = [`race-${engine}-a.example.test`, `race-${engine}-b.example.test`];
      for (const d of pair) await c.publish(d);
      // Both files are answered only once both were asked for: both requests passed the check before the checks ran.
      const held: Array<() => void> = [];
      sites.https.handler = (req, res) => {
        if (!pair.includes(req.headers.host ?? '') || req.url !== '/.well-known/vouch-verify.txt') {
          return handler(req, res);
        }
        held.push(() => handler(req, res));
        if (held.length === pair.length) for (const answer of held) answer();
      };
      const answers = await Promise.all(pair.map((d) => c.verify(d)));
      assert.equal(held.length, 2, 'both files were fetched');
      assert.deepEqual(answers.map((r) => r.statusCode).sort(), [200, 409], answers.map((r) => r.body).join('\n'));
      assert.equal(codeOf(answers.find((r) => r.statusCode === 409)!), 'DOMAIN_PROOF_LIMIT');
      const won = pair[answers.findIndex((r) => r.statusCode === 200)]!;
      assert.deepEqual(await c.proven(), [...c.domains, won].sort(), `${MAX_DOMAIN_PROOFS} proofs, not more`);
    } finally {
      sites.https.handler = handler;
      await c.app.close();
    }
  },
);
