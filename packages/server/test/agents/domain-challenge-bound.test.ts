// Review: domain challenges are bounded per agent. One agent holds at most MAX_LIVE_CHALLENGES unexpired challenges
// (one per domain; asking again for a domain returns its challenge): a challenge for one more domain is 429
// `DOMAIN_CHALLENGE_LIMIT`, with `Retry-After` until its oldest challenge expires, and writes nothing. Expired
// challenges are pruned a week after they expired by the minute's housekeeping too, not only when someone asks for a
// new challenge. Each request for a new domain used to add a row, 60 a minute per client address, kept 8 days.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { Storage } from '../../src/storage/index.ts';
import { MAX_LIVE_CHALLENGES } from '../../src/modules/agents/domain/index.ts';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { bearer, codeOf, registerSlug, TEST_ENV } from './helpers.ts';

const DAY = 24 * 60 * 60 * 1000;

async function challengeRows(storage: Storage, agentId: string): Promise<string[]> {
  const rows = await storage.db
    .selectFrom('domain_challenges')
    .select('domain')
    .where('agent_id', '=', agentId)
    .execute();
  return rows.map((r) => r.domain).sort();
}

/** Polls (in real time) until `done` holds: the pruner's statements run after the timer's tick returns. */
async function until(done: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await done()) return;
    await delay(10);
  }
  assert.fail(`timed out waiting for ${what}`);
}

eachEngine(
  'an agent holds a bounded number of live domain challenges; expired ones are pruned',
  async ({ open, t }) => {
    // Only setInterval is mocked: the housekeeping timer fires when the test says so, requests run in real time.
    t.mock.timers.enable({ apis: ['setInterval'] });
    const storage = await open();
    const { app, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      const bot = await registerSlug(app, 'many-domains');
      const other = await registerSlug(app, 'other-agent');
      const ask = (domain: string, agent = bot) =>
        app.inject({
          method: 'GET',
          url: `/v1/identity/${agent.slug}/domain-challenge?domain=${domain}`,
          headers: bearer(agent.managementToken),
        });
      const t0 = clock.now();
      const domains = Array.from({ length: MAX_LIVE_CHALLENGES }, (_, i) => `d${i}.example.test`);
      for (const [i, domain] of domains.entries()) {
        clock.set(t0 + i * 1000);
        assert.equal((await ask(domain)).statusCode, 200);
      }
      // Asking again for a domain it holds a challenge for is still fine, and returns that challenge.
      const first = await ask(domains[0]!);
      assert.equal(first.statusCode, 200, first.body);

      const refused = await ask('one-more.example.test');
      assert.equal(refused.statusCode, 429, refused.body);
      assert.equal(codeOf(refused), 'DOMAIN_CHALLENGE_LIMIT');
      // The oldest challenge (d0, issued at t0) expires at t0 + 24 h.
      assert.equal(refused.headers['retry-after'], String(Math.ceil((t0 + DAY - clock.now()) / 1000)));
      assert.deepEqual(await challengeRows(storage, bot.id), [...domains].sort(), 'the refusal wrote nothing');
      // The bound is per agent.
      assert.equal((await ask('one-more.example.test', other)).statusCode, 200);

      // Once the oldest expires, a new domain may be challenged.
      clock.set(t0 + DAY);
      assert.equal((await ask('one-more.example.test')).statusCode, 200);
      assert.equal(codeOf(await ask('and-another.example.test')), 'DOMAIN_CHALLENGE_LIMIT');

      // A week after they expired, the minute's housekeeping deletes them, though nobody asks for a challenge.
      clock.set(t0 + 8 * DAY + 10_000);
      t.mock.timers.tick(60_000);
      await until(async () => (await challengeRows(storage, bot.id)).length === 1, 'the housekeeping prune');
      assert.deepEqual(await challengeRows(storage, bot.id), ['one-more.example.test'], 'expired 7 days ago: kept');
    } finally {
      await app.close();
    }
  },
);
