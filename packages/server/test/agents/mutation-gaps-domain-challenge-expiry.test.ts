// Gaps found by mutation testing: a domain challenge has expired at exactly its expires_at. Asking again for its
// domain then counts as a new challenge, so it is held to the live-challenge bound. Mutating challenge.ts's
// `current.expires_at <= now` into `<` let an agent at the bound renew, at that very millisecond, a challenge that
// had just expired (one more live than the bound) and left every domain test passing.
import assert from 'node:assert/strict';
import { MAX_LIVE_CHALLENGES } from '../../src/modules/agents/domain/index.ts';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { bearer, codeOf, registerSlug, TEST_ENV } from './helpers.ts';

const DAY = 24 * 60 * 60 * 1000;

eachEngine('a challenge asked again at exactly its expiry is a new one, held to the bound', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const bot = await registerSlug(app, 'edge-domains');
    const ask = (domain: string) =>
      app.inject({
        method: 'GET',
        url: `/v1/identity/${bot.slug}/domain-challenge?domain=${domain}`,
        headers: bearer(bot.managementToken),
      });
    const t0 = clock.now();
    const domains = Array.from({ length: MAX_LIVE_CHALLENGES }, (_, i) => `d${i}.example.test`);
    for (const [i, domain] of domains.entries()) {
      clock.set(t0 + i * 1000);
      assert.equal((await ask(domain)).statusCode, 200);
    }
    // d0 expires at t0 + 24 h exactly: its place is free, and another domain takes it.
    clock.set(t0 + DAY);
    assert.equal((await ask('one-more.example.test')).statusCode, 200);
    const again = await ask(domains[0]!);
    assert.equal(again.statusCode, 429, again.body);
    assert.equal(codeOf(again), 'DOMAIN_CHALLENGE_LIMIT');
  } finally {
    await app.close();
  }
});
