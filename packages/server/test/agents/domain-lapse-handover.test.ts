// When the agent's verified domain lapses, `verified_domain` becomes its most recently found other domain proof
// (docs/PROTOCOL.md, "Domain proofs"), not null and not the oldest. Every lapse the tests made was of an agent's only
// domain, so a lapse that always cleared the domain, or handed it to the least recently found proof, passed them all.
import assert from 'node:assert/strict';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import type { ClaimedDomainProof } from '../../src/modules/agents/domain-port.ts';
import { listAudit } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { registerSlug, TEST_ENV } from './helpers.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

eachEngine('a lapsed verified domain hands over to the most recently found other proof', async ({ open }) => {
  const storage = await open();
  const { app, ctx } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerSlug(app, 'many-domains');
    const port = createAgentDomainPort(ctx);
    const claim = (domain: string, succeededAt: number): ClaimedDomainProof => ({
      agentId: agent.id,
      domain,
      token: 'token',
      method: 'dns_txt',
      succeededAt,
    });
    // Proven in this order: `c` is the verified domain.
    await port.recordDomainProof(agent.id, 'a.example.com', 'dns_txt', T0 + MIN, 'token');
    await port.recordDomainProof(agent.id, 'b.example.com', 'dns_txt', T0 + 2 * MIN, 'token');
    await port.recordDomainProof(agent.id, 'c.example.com', 'dns_txt', T0 + 3 * MIN, 'token');
    // `a`, the oldest proof, is found again later than `b` was last found.
    assert.equal(
      await port.recordDomainRecheck(
        claim('a.example.com', T0 + MIN),
        { found: true, method: 'dns_txt' },
        T0 + 4 * MIN,
        0,
      ),
      'kept',
    );
    const profile = async () =>
      (await app.inject({ method: 'GET', url: '/v1/identity/many-domains' })).json() as {
        verified_domain: string | null;
        verified_proofs: Array<{ value: string }>;
      };
    assert.equal((await profile()).verified_domain, 'c.example.com');

    // `c` is not found past its grace: it lapses, and `a` (found at +4 min) takes its place, not `b` (+2 min).
    const at = T0 + 10 * DAY;
    const lapsed = await port.recordDomainRecheck(
      claim('c.example.com', T0 + 3 * MIN),
      { found: false, failures: { dns_txt: 'TXT_RECORD_MISSING' } },
      at,
      at - 3 * DAY,
    );
    assert.equal(lapsed, 'lapsed');
    const after = await profile();
    assert.equal(after.verified_domain, 'a.example.com');
    assert.deepEqual(
      after.verified_proofs.map((p) => p.value),
      ['a.example.com', 'b.example.com'],
    );
    const entries = await listAudit(storage.db, { action: 'agent.domain_lapsed' });
    assert.equal(entries.length, 1);
    assert.equal((entries[0]!.details as { verifiedDomain: string }).verifiedDomain, 'a.example.com');
  } finally {
    await app.close();
  }
});
