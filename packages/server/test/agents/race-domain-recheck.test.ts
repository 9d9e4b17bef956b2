// Domain re-checks racing what else writes a proof, on one database from two "processes" (two storages): the
// checks are stubs that step in while a check is in flight, and the proof is recorded through the agents module's
// port, as verify-domain records it.
//  - a pass whose claim ran out while it checked, and the pass that claimed the proof again, both lapse it at once:
//    it lapses once (one audit entry);
//  - the domain proven again while a lapsing check is in flight: the new proof stands, nothing is audited;
//  - the agent revoked while a check is in flight: the outcome is not recorded (a revoked agent's proofs are not
//    re-checked), neither a lapse nor a moved check time.
import assert from 'node:assert/strict';
import { listAudit } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { RECHECK_CLAIM_MS, recheckDomains } from '../../src/modules/agents/domain/index.ts';
import type { CheckOutcome, DomainChecker } from '../../src/modules/agents/domain/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, registerSlug, TEST_ENV } from './helpers.ts';

const DAY = 24 * 60 * 60 * 1000;
const NOT_FOUND: CheckOutcome = { verified: false, errors: {} };
const FOUND: CheckOutcome = { verified: true, method: 'dns_txt' } as CheckOutcome;

/** A checker that runs `during` while each check is in flight, then answers `outcome`. */
const stub = (outcome: CheckOutcome, during: () => Promise<void> = async () => {}): DomainChecker => ({
  async check() {
    await during();
    return outcome;
  },
});

function latch(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

async function setup(open: () => Promise<Storage>, domain: string, elapsed = 4 * DAY) {
  const s1 = await open();
  const s2 = await open();
  const a = await makeApp(s1, { env: TEST_ENV });
  const b = await makeApp(s2, { env: TEST_ENV, kek: a.kek, clock: a.clock });
  const agent = await registerSlug(a.app, 'rechecked-agent');
  const portA = createAgentDomainPort(a.ctx);
  const portB = createAgentDomainPort(b.ctx);
  await portA.recordDomainProof(agent.id, domain, 'dns_txt', a.clock.now(), 'token-one');
  // Due for a re-check; by default past the grace too, so that a check that does not find it lapses it.
  a.clock.advance(elapsed);
  const proofs = () =>
    s1.db
      .selectFrom('agent_proofs')
      .selectAll()
      .where('agent_id', '=', agent.id)
      .where('type', '=', 'domain')
      .execute();
  const domainOf = async () =>
    (await s1.db.selectFrom('agents').select('verified_domain').where('id', '=', agent.id).executeTakeFirstOrThrow())
      .verified_domain;
  const lapses = () => listAudit(s1.db, { action: 'agent.domain_lapsed' });
  const close = async () => {
    await a.app.close();
    await b.app.close();
  };
  return { a, b, agent, portA, portB, proofs, domainOf, lapses, close };
}

eachEngine('a proof two passes lapse at once (the first claim ran out): it lapses once', async ({ open }) => {
  const domain = 'lapse-twice.example.test';
  const h = await setup(open, domain);
  try {
    const aChecking = latch();
    const bChecking = latch();
    // Each check waits until the other is in flight too, so both record their outcome together.
    const checkerA = stub(NOT_FOUND, async () => {
      aChecking.open();
      await bChecking.opened;
    });
    const checkerB = stub(NOT_FOUND, async () => {
      bChecking.open();
      await aChecking.opened;
    });
    const passA = recheckDomains(h.a.ctx, h.portA, checkerA);
    await aChecking.opened;
    // A's claim runs out while its check hangs: B claims the proof again.
    h.a.clock.advance(RECHECK_CLAIM_MS + 1);
    const passB = recheckDomains(h.b.ctx, h.portB, checkerB);
    const [sa, sb] = await Promise.all([passA, passB]);
    assert.equal(sa.claimed + sb.claimed, 2, 'both passes claimed the proof');
    assert.equal(sa.errors + sb.errors, 0, JSON.stringify([sa, sb]));
    assert.equal(sa.lapsed.length + sb.lapsed.length, 1, JSON.stringify([sa, sb]));
    assert.equal(sa.stale + sb.stale, 1, JSON.stringify([sa, sb]));
    assert.equal((await h.lapses()).length, 1, 'one agent.domain_lapsed entry');
    assert.deepEqual(await h.proofs(), []);
    assert.equal(await h.domainOf(), null);
  } finally {
    await h.close();
  }
});

eachEngine('a domain proven again while a lapsing check is in flight: the new proof stands', async ({ open }) => {
  const domain = 'proven-again.example.test';
  const h = await setup(open, domain);
  try {
    // Another process records the domain proven with a new token while the re-check looks for the old one.
    const checker = stub(NOT_FOUND, async () => {
      await h.portB.recordDomainProof(h.agent.id, domain, 'file', h.b.clock.now(), 'token-two');
    });
    const summary = await recheckDomains(h.a.ctx, h.portA, checker);
    assert.deepEqual(summary, { claimed: 1, kept: 0, lapsed: [], stale: 1, errors: 0 });
    const [proof, ...rest] = await h.proofs();
    assert.equal(rest.length, 0);
    assert.equal(proof!.token, 'token-two');
    assert.equal(Number(proof!.succeeded_at), h.a.clock.now());
    assert.equal(proof!.claimed_until, null);
    assert.equal(await h.domainOf(), domain);
    assert.equal((await h.lapses()).length, 0);
  } finally {
    await h.close();
  }
});

for (const [name, outcome, elapsed] of [
  ['not found, past its grace', NOT_FOUND, 4 * DAY],
  ['not found, within its grace', NOT_FOUND, 2 * DAY],
  ['found', FOUND, 4 * DAY],
] as const) {
  eachEngine(
    `an agent revoked while its proof's check is in flight (${name}): nothing is recorded`,
    async ({ open }) => {
      const domain = `revoked-${name.replace(/\W+/g, '-')}.example.test`;
      const h = await setup(open, domain, elapsed);
      try {
        const [before] = await h.proofs();
        const checker = stub(outcome, async () => {
          const res = await h.b.app.inject({
            method: 'POST',
            url: `/api/v1/agents/${h.agent.did}/revoke`,
            headers: admin,
          });
          assert.equal(res.statusCode, 200, res.body);
        });
        const summary = await recheckDomains(h.a.ctx, h.portA, checker);
        assert.deepEqual(summary, { claimed: 1, kept: 0, lapsed: [], stale: 1, errors: 0 });
        const [after] = await h.proofs();
        assert.equal(Number(after!.checked_at), Number(before!.checked_at), 'the check time did not move');
        assert.equal(Number(after!.succeeded_at), Number(before!.succeeded_at));
        assert.equal((await h.lapses()).length, 0);
      } finally {
        await h.close();
      }
    },
  );
}
