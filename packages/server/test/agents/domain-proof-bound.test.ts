// Review: an agent holds a bounded number of domain proofs. Each proof is re-checked every day for as long as it
// stands and is listed in the profile's `verified_proofs`, and with a challenge for a new domain every day (and a
// wildcard DNS record or web server answering every name under one domain) an agent could add proofs without end.
// A proof of one more domain is 409 `DOMAIN_PROOF_LIMIT` and records nothing; proving a standing one again still works.
import assert from 'node:assert/strict';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { MAX_DOMAIN_PROOFS } from '../../src/modules/agents/domain-proof-store.ts';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { TestDnsServer } from '../net/fixtures/dns-server.ts';
import { bearer, codeOf, registerSlug, TEST_ENV } from './helpers.ts';

eachEngine('an agent holds at most MAX_DOMAIN_PROOFS domain proofs', async ({ open }) => {
  const dns = await TestDnsServer.start();
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: { ...TEST_ENV, VOUCH_DNS_SERVERS: dns.address } });
  try {
    const bot = await registerSlug(app, 'proof-collector');
    const port = createAgentDomainPort(ctx);
    const domains = Array.from({ length: MAX_DOMAIN_PROOFS }, (_, i) => `d${i}.example.test`);
    for (const d of domains) await port.recordDomainProof(bot.id, d, 'dns_txt', clock.now(), `token-${d}`);
    const proven = async () =>
      (await storage.db.selectFrom('agent_proofs').select('value').where('agent_id', '=', bot.id).execute())
        .map((r) => r.value)
        .sort();
    const prove = async (domain: string) => {
      const auth = bearer(bot.managementToken);
      const c = await app.inject({
        method: 'GET',
        url: `/v1/identity/proof-collector/domain-challenge?domain=${domain}`,
        headers: auth,
      });
      // At the limit a new domain is refused already here (domain-challenge-proof-limit.test.ts).
      if (c.statusCode !== 200) return c;
      dns.zone.set(`_vouch-verify.${domain}`, { TXT: [(c.json() as { challenge_token: string }).challenge_token] });
      return app.inject({
        method: 'POST',
        url: '/v1/identity/proof-collector/verify-domain',
        headers: auth,
        payload: { domain },
      });
    };

    const refused = await prove('one-more.example.test');
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(codeOf(refused), 'DOMAIN_PROOF_LIMIT');
    assert.deepEqual(await proven(), [...domains].sort(), 'nothing was recorded');
    const profile = await app.inject({ method: 'GET', url: '/v1/identity/proof-collector' });
    assert.equal(profile.json().verified_domain, domains.at(-1));

    // A standing proof proven again is no new proof.
    const again = await prove(domains[0]!);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().verified, true);
    assert.equal(
      (await app.inject({ method: 'GET', url: '/v1/identity/proof-collector' })).json().verified_domain,
      domains[0],
    );
  } finally {
    await app.close();
    await dns.close();
  }
});
