// Migration 0013 on domain proofs recorded before it: the token comes from the agent's stored challenge when there
// still is one, both check times are the proof's time; a proof without a token cannot be re-checked and lapses once
// the grace since it was proven has passed, while one with a token is re-checked as usual.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { listAudit } from '../../src/storage/index.ts';
import { domainRecheck } from '../../src/storage/migrations/0013_domain_recheck.ts';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { createDomainChecker, recheckDomains } from '../../src/modules/agents/domain/index.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { TestDnsServer } from '../net/fixtures/dns-server.ts';
import { proveDomainByDns } from './helpers.ts';

const DAY = 24 * 60 * 60 * 1000;

let dns: TestDnsServer;
before(async () => {
  dns = await TestDnsServer.start();
});
after(async () => {
  await dns.close();
});

/** Registers `slug` and proves `domain` by DNS TXT through the routes; returns the token. */
async function prove(t: TestApp, slug: string, domain: string): Promise<string> {
  return (await proveDomainByDns(t.app, dns.zone, slug, domain)).token;
}

eachEngine('migration 0013 keeps what existing domain proofs need to be re-checked', async ({ open, engine }) => {
  const env = { VOUCH_DNS_SERVERS: dns.address };
  const storage = await open();
  const first = await makeApp(storage, { env });
  const withToken = `kept-${engine}.example.test`;
  const legacy = `legacy-${engine}.example.test`;
  const token = await prove(first, 'kept-agent', withToken);
  first.clock.advance(1000);
  await prove(first, 'legacy-agent', legacy);
  // The legacy proof's challenge was pruned long ago; its record is still published, but nothing says what it held.
  await storage.db.deleteFrom('domain_challenges').where('domain', '=', legacy).execute();

  // As before the migration.
  const db = storage.db;
  await db.schema.dropIndex('agent_proofs_type_checked_at_idx').execute();
  for (const column of ['token', 'succeeded_at', 'checked_at', 'claimed_until']) {
    await db.schema.alterTable('agent_proofs').dropColumn(column).execute();
  }
  await domainRecheck.up(db as unknown as Kysely<unknown>, engine);
  await first.app.close();
  await storage.close();

  const storage2 = await open();
  const rows = await storage2.db
    .selectFrom('agent_proofs')
    .select(['value', 'token', 'verified_at', 'succeeded_at', 'checked_at', 'claimed_until'])
    .orderBy('verified_at')
    .execute();
  assert.deepEqual(
    rows.map((r) => ({
      ...r,
      verified_at: Number(r.verified_at),
      succeeded_at: Number(r.succeeded_at),
      checked_at: Number(r.checked_at),
    })),
    [
      { value: withToken, token, verified_at: T0, succeeded_at: T0, checked_at: T0, claimed_until: null },
      {
        value: legacy,
        token: null,
        verified_at: T0 + 1000,
        succeeded_at: T0 + 1000,
        checked_at: T0 + 1000,
        claimed_until: null,
      },
    ],
  );

  const t = await makeApp(storage2, { env });
  try {
    const port = createAgentDomainPort(t.ctx);
    const checker = createDomainChecker(t.ctx.config);
    const pass = () => recheckDomains(t.ctx, port, checker);
    const domainOf = async (slug: string) =>
      (await t.app.inject({ method: 'GET', url: `/v1/identity/${slug}` })).json().verified_domain as string | null;

    t.clock.set(T0 + DAY + 1000);
    assert.deepEqual(await pass(), { claimed: 2, kept: 2, lapsed: [], stale: 0, errors: 0 }, 'within the grace');
    assert.equal(await domainOf('legacy-agent'), legacy);

    t.clock.set(T0 + 3 * DAY + 1000);
    const summary = await pass();
    assert.equal(summary.kept, 1);
    assert.deepEqual(
      summary.lapsed.map((l) => l.domain),
      [legacy],
    );
    assert.equal(await domainOf('kept-agent'), withToken);
    assert.equal(await domainOf('legacy-agent'), null);
    const audit = await listAudit(storage2.db, { action: 'agent.domain_lapsed' });
    assert.deepEqual(audit[0]!.details?.failures, { recheck: 'NO_STORED_CHALLENGE' });
  } finally {
    await t.app.close();
  }
});
