// Review: GET /v1/identity/{slug} (and the agent page) read the agent's profile row, then its domain proofs in a
// second query. A domain proof that lapsed between the two was answered as the profile's `verified_domain`, scored
// its 25 points, and was missing from `verified_proofs` beside it (with `domain_checked_at` null): a profile no moment
// had. The interleaving is forced: the lapse commits right after the route's read of the profile row.
import assert from 'node:assert/strict';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { makeApp } from '../helpers/app.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { eachEngine } from '../helpers/storage.ts';
import { registerSlug, TEST_ENV } from './helpers.ts';

interface Profile {
  verified_domain: string | null;
  verified_proofs: Array<{ type: string; value: string }>;
  domain_checked_at: string | null;
  identity_score: number;
}

eachEngine('a profile pairs its verified domain with the proofs of the same moment', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerSlug(app, 'my-agent');
    const port = createAgentDomainPort(ctx);
    const profile = async (): Promise<Profile> => {
      const res = await app.inject({ method: 'GET', url: '/v1/identity/my-agent' });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Profile;
    };
    await port.recordDomainProof(agent.id, 'agent.example', 'dns_txt', clock.now(), 'token');
    const proven = await profile();
    assert.equal(proven.verified_domain, 'agent.example');
    assert.deepEqual(
      proven.verified_proofs.map((p) => p.value),
      ['agent.example'],
    );

    clock.advance(1000);
    const [claim] = await port.claimDueDomainProofs({
      now: clock.now(),
      checkedBefore: clock.now(),
      leaseUntil: clock.now() + 60_000,
      limit: 10,
    });
    assert.ok(claim);
    // Right after the route's read of the profile row, before its read of the proofs: the proof lapses.
    afterNextPoolQuery(storage.db, /from "agents" as "a"/, async () => {
      const lapsed = await port.recordDomainRecheck(claim, { found: false, failures: {} }, clock.now(), clock.now());
      assert.equal(lapsed, 'lapsed');
    });
    const read = await profile();
    const listed = read.verified_proofs.filter((p) => p.type === 'domain').map((p) => p.value);
    // Whichever moment it shows, the verified domain is one of the proofs listed, and scored only then.
    if (read.verified_domain === null) {
      assert.deepEqual(listed, []);
      assert.equal(read.domain_checked_at, null);
      assert.equal(read.identity_score, proven.identity_score - 25);
    } else {
      assert.deepEqual(listed, [read.verified_domain]);
      assert.notEqual(read.domain_checked_at, null);
      assert.equal(read.identity_score, proven.identity_score);
    }
    // And the next read shows the lapse.
    assert.equal((await profile()).verified_domain, null);
  } finally {
    await app.close();
  }
});
