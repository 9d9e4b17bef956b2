// `domain_checked_at` (profile) and the page's "last checked" are the checks of the agent's verified domain, not of
// whichever of its domain proofs is listed first. Every test gave the agent one domain, or never read the time with
// two, so reading the oldest proof's check time passed them all.
import assert from 'node:assert/strict';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { registerSlug, TEST_ENV } from './helpers.ts';

eachEngine("domain_checked_at is the verified domain's last check, with several domain proofs", async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerSlug(app, 'two-domains');
    const port = createAgentDomainPort(ctx);
    clock.advance(60_000);
    await port.recordDomainProof(agent.id, 'first.example.com', 'dns_txt', clock.now());
    clock.advance(60_000);
    await port.recordDomainProof(agent.id, 'second.example.com', 'file', clock.now());

    const profile = (await app.inject({ method: 'GET', url: '/v1/identity/two-domains' })).json() as {
      verified_domain: string;
      domain_checked_at: string;
      verified_proofs: Array<{ type: string; value: string }>;
    };
    assert.deepEqual(
      profile.verified_proofs.map((p) => p.value),
      ['first.example.com', 'second.example.com'],
      'the older proof is listed first',
    );
    assert.equal(profile.verified_domain, 'second.example.com');
    assert.equal(profile.domain_checked_at, '2026-01-01T00:02:00.000Z');
    const page = (await app.inject({ method: 'GET', url: '/verify/two-domains' })).body;
    assert.match(page, /second\.example\.com <span class="muted">\(last checked 2026-01-01 00:02:00 UTC\)/);
  } finally {
    await app.close();
  }
});
