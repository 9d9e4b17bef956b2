// Review: `verify-domain` answers the proof as stored. Proving a standing domain proof again keeps its first
// `verified_at` (the proof has stood since then, as the profile's `verified_proofs` says) and records the method just
// found with the token just checked (the re-checks look for that token). The answer used to say the method and time
// of the check just made while the stored proof kept the first ones, so the answer and the profile disagreed.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { T0 } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { startDomainSites } from '../net/fixtures/domain-sites.ts';
import { domainWebApp } from './domain-web-app.ts';
import type { DomainSites } from '../net/fixtures/domain-sites.ts';
import { bearer, registerSlug } from './helpers.ts';

const SITE = '127.0.0.9';
const DOMAIN = 'again.example.test';
const HOUR = 60 * 60 * 1000;

let sites: DomainSites;
before(async () => {
  sites = await startDomainSites(SITE);
});
after(() => sites.close());

eachEngine(
  'proving a standing domain proof again answers what is stored: the first time, the method found now',
  async ({ open }) => {
    const storage = await open();
    const { app, clock } = await domainWebApp(storage, sites, SITE);
    try {
      const bot = await registerSlug(app, 'again-bot');
      const auth = bearer(bot.managementToken);
      const challenge = await app.inject({
        method: 'GET',
        url: `/t/v1/identity/again-bot/domain-challenge?domain=${DOMAIN}`,
        headers: auth,
      });
      const token = (challenge.json() as { challenge_token: string }).challenge_token;
      const verify = async () => {
        const res = await app.inject({
          method: 'POST',
          url: '/t/v1/identity/again-bot/verify-domain',
          headers: auth,
          payload: { domain: DOMAIN },
        });
        assert.equal(res.statusCode, 200, res.body);
        return res.json() as { verified: boolean; method: string; verified_at: string };
      };
      const stored = async () => {
        const row = await storage.db
          .selectFrom('agent_proofs')
          .select(['method', 'verified_at'])
          .where('agent_id', '=', bot.id)
          .where('value', '=', DOMAIN)
          .executeTakeFirstOrThrow();
        const profile = (await app.inject({ method: 'GET', url: '/v1/identity/again-bot' })).json() as {
          verified_proofs: Array<{ type: string; value: string; verified_at: string }>;
        };
        const listed = profile.verified_proofs.find((p) => p.type === 'domain' && p.value === DOMAIN);
        assert.equal(listed?.verified_at, new Date(Number(row.verified_at)).toISOString(), 'the profile lists it');
        return { method: row.method, verified_at: listed.verified_at };
      };

      // First proven by DNS TXT.
      sites.dns.zone.set(`_vouch-verify.${DOMAIN}`, { TXT: [token] });
      clock.advance(HOUR);
      const first = await verify();
      const firstAt = new Date(T0 + HOUR).toISOString();
      assert.deepEqual([first.verified, first.method, first.verified_at], [true, 'dns_txt', firstAt]);
      assert.deepEqual(await stored(), { method: 'dns_txt', verified_at: firstAt });

      // The owner moves the token from DNS to the well-known file; the proof stands and is proven again.
      sites.dns.zone.delete(`_vouch-verify.${DOMAIN}`);
      sites.dns.zone.set(DOMAIN, { A: [SITE] });
      sites.files.set(DOMAIN, token);
      clock.advance(HOUR);
      const again = await verify();
      assert.deepEqual(await stored(), { method: 'file', verified_at: firstAt });
      assert.deepEqual(
        { method: again.method, verified_at: again.verified_at },
        await stored(),
        'the answer is the stored proof',
      );
    } finally {
      await app.close();
    }
  },
);
