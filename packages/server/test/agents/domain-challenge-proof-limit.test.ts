// Review: at MAX_DOMAIN_PROOFS, `GET .../domain-challenge` still issued a challenge for a new domain, though
// verify-domain refuses that domain with 409 DOMAIN_PROOF_LIMIT whatever its challenge: the owner was told to publish a
// token that could only be refused. The challenge is now refused with the same 409 and writes nothing (not even the
// prune of expired challenges); a domain the agent already holds a proof of still gets its challenge (a re-verify),
// in any spelling of the domain.
import assert from 'node:assert/strict';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { MAX_DOMAIN_PROOFS } from '../../src/modules/agents/domain-proof-store.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { bearer, codeOf, registerSlug, TEST_ENV } from './helpers.ts';

eachEngine(
  'at the limit, a challenge for a new domain is 409 DOMAIN_PROOF_LIMIT and writes nothing',
  async ({ open }) => {
    const storage = await open();
    const { app, ctx, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      const bot = await registerSlug(app, 'full-challenger');
      const port = createAgentDomainPort(ctx);
      const ask = (domain: string) =>
        app.inject({
          method: 'GET',
          url: `/v1/identity/full-challenger/domain-challenge?domain=${encodeURIComponent(domain)}`,
          headers: bearer(bot.managementToken),
        });
      const domains = Array.from({ length: MAX_DOMAIN_PROOFS }, (_, i) => `c${i}.example.test`);
      for (const d of domains.slice(0, -1)) await port.recordDomainProof(bot.id, d, 'dns_txt', clock.now(), `t-${d}`);

      // One below the limit, a new domain still gets its challenge.
      const below = await ask('below.example.test');
      assert.equal(below.statusCode, 200, below.body);
      await port.recordDomainProof(bot.id, domains.at(-1)!, 'dns_txt', clock.now(), 'last');

      const before = await tableCounts(storage);
      const refused = await ask('one-more.example.test');
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(codeOf(refused), 'DOMAIN_PROOF_LIMIT');
      assert.match(refused.json().error, new RegExp(`${MAX_DOMAIN_PROOFS} domain proofs`));
      // A domain whose challenge was issued below the limit is refused too: it could not be recorded either.
      assert.equal(codeOf(await ask('below.example.test')), 'DOMAIN_PROOF_LIMIT');
      assert.deepEqual(await tableCounts(storage), before, 'nothing was written');
      const rows = await storage.db
        .selectFrom('domain_challenges')
        .select('domain')
        .where('agent_id', '=', bot.id)
        .execute();
      assert.deepEqual(
        rows.map((r) => r.domain),
        ['below.example.test'],
      );

      // A domain it holds a proof of gets a challenge at the limit, in any spelling.
      const again = await ask('C0.Example.Test.');
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().domain, 'c0.example.test');
      // A bad domain is still 400 DOMAIN_INVALID, not the limit.
      assert.equal(codeOf(await ask('127.0.0.1')), 'DOMAIN_INVALID');
    } finally {
      await app.close();
    }
  },
);
