// A domain challenge asked for again once its token expired, while another process's housekeeping deletes the expired
// row (its clock is a little ahead, so the row is past the week it is kept by that clock but not yet by this one).
// The route found the row expired and issued a new token; the row went between its statements, and the challenge
// answered 500 ("vanished") instead of the new token. The interleaving is forced: the other process prunes right
// after the route's insert found the old row; the step goes on once the prune is done or waits for a lock the route's
// transaction holds (then it deletes nothing: the row it waited for was renewed).
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { pausingAfterInsert } from '../helpers/interleave.ts';
import { pruneDomainChallenges } from '../../src/modules/agents/domain/index.ts';
import { bearer, registerSlug, TEST_ENV } from './helpers.ts';

const DAY = 24 * 3600_000;

/** PostgreSQL: resolves once a DELETE of domain_challenges waits for a lock (polled, bounded). */
async function pruneWaitsForLock(db: Kysely<Database>): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where wait_event_type = 'Lock' and query ilike '%delete from "domain_challenges"%'`.execute(db);
    if (rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('the prune neither finished nor waited for a lock');
}

eachEngine(
  'a challenge renewed while another process prunes its expired row answers the new token',
  async ({ open, engine }) => {
    const clockB = new ManualClock(T0);
    const b = await makeApp(await open(), { env: TEST_ENV, clock: clockB });
    const agent = await registerSlug(b.app, 'pruned-meanwhile');
    const url = '/v1/identity/pruned-meanwhile/domain-challenge?domain=agent.example.com';
    const first = await b.app.inject({ method: 'GET', url, headers: bearer(agent.managementToken) });
    assert.equal(first.statusCode, 200, first.body);
    const old = (first.json() as { challenge_token: string }).challenge_token;
    // Expired a week ago less 30 s by this process's clock, a week and 30 s ago by the other's.
    const clockA = new ManualClock(T0 + DAY + 7 * DAY - 30_000);
    clockB.set(T0 + DAY + 7 * DAY + 30_000);
    let prune: Promise<number> | undefined;
    const storageA = await open();
    const a = await makeApp(
      pausingAfterInsert(storageA, 'domain_challenges', async () => {
        // SQLite runs one writer at a time: the other process could not delete meanwhile.
        if (engine !== 'postgres') return;
        prune = pruneDomainChallenges(b.ctx);
        await Promise.race([prune, pruneWaitsForLock(storageA.db)]);
      }),
      { env: TEST_ENV, clock: clockA, kek: b.kek },
    );
    try {
      const res = await a.app.inject({ method: 'GET', url, headers: bearer(agent.managementToken) });
      if (engine === 'postgres') assert.ok(prune !== undefined, 'the other process pruned in between');
      assert.equal(res.statusCode, 200, res.body);
      // The renewed row is not the other process's to delete.
      assert.equal(await prune, engine === 'postgres' ? 0 : undefined);
      const body = res.json() as { challenge_token: string; expires_at: string };
      assert.notEqual(body.challenge_token, old);
      assert.equal(body.expires_at, new Date(clockA.now() + DAY).toISOString());
      const again = await a.app.inject({ method: 'GET', url, headers: bearer(agent.managementToken) });
      assert.equal((again.json() as { challenge_token: string }).challenge_token, body.challenge_token);
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);
