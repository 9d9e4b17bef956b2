// The agent page (`/verify/{slug}`) lists what was verified and says when the agent was revoked. Its tests checked
// the escaping, the score and the key note, but not these: a page that always read "No verified proofs." (the
// domain and the owner link left out) or never showed the revocation date passed every test.
import assert from 'node:assert/strict';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { admin, claimAgent, createOwner, registerSlug, TEST_ENV } from './helpers.ts';

eachEngine('the agent page lists its verified proofs, and says when the agent was revoked', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerSlug(app, 'proof-page-agent');
    const page = async () => {
      const res = await app.inject({ method: 'GET', url: '/verify/proof-page-agent' });
      assert.equal(res.statusCode, 200, res.body);
      return res.body;
    };
    const before = await page();
    assert.match(before, /No verified proofs\./);
    assert.doesNotMatch(before, /<dt>Revoked<\/dt>/);

    // A domain proven at T0 + 1 min, then the owner's claim at T0 + 2 min: listed oldest first.
    clock.advance(60_000);
    await createAgentDomainPort(ctx).recordDomainProof(agent.id, 'page.example.com', 'dns_txt', clock.now());
    clock.advance(60_000);
    const owner = await createOwner(app, 'page-owner');
    await claimAgent(app, owner, agent.body.claim_token);
    const proven = await page();
    assert.doesNotMatch(proven, /No verified proofs/);
    const items = [
      ...proven.matchAll(/<li><strong>([^<]*)<\/strong>: ([^<]*) <span class="muted">\(verified ([^)]*)\)/g),
    ];
    assert.deepEqual(
      items.map((m) => [m[1], m[2], m[3]]),
      [
        ['domain', 'page.example.com', '2026-01-01 00:01:00 UTC'],
        ['owner', 'page-owner', '2026-01-01 00:02:00 UTC'],
      ],
    );
    assert.equal(clock.now(), T0 + 120_000);

    clock.advance(60_000);
    const revoke = await app.inject({ method: 'POST', url: '/api/v1/agents/proof-page-agent/revoke', headers: admin });
    assert.equal(revoke.statusCode, 200, revoke.body);
    const revoked = await page();
    assert.match(revoked, /id="agent-status">revoked</);
    assert.match(revoked, /<dt>Revoked<\/dt><dd>2026-01-01 00:03:00 UTC<\/dd>/);
  } finally {
    await app.close();
  }
});
