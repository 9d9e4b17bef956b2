// A batch reads its agents' consents in parts of 500 and their allowance rows in parts of 400 (store.ts, integrators
// service.ts); no test sent a batch with more agents than one part, so a read that kept only the first part (agents
// past it refused as CONSENT_REQUIRED, or their environment allowance read as empty and counted again) passed the
// suite. 600 agents, each with one contribution allowed per environment, two batches.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { createIntegrator, ingest, post, repApp } from '../integrators/helpers.ts';

const AGENTS = 600;

eachEngine(
  'a batch of 600 agents reads every consent and every allowance',
  async ({ open }) => {
    const storage = await open();
    const t = await repApp(storage, { VOUCH_RATE_LIMIT_MAX: '100000', VOUCH_REPUTATION_ENVIRONMENT_CAP: '1' });
    const key = await createIntegrator(t, 'shop', [
      { metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct', maxPerDay: 1000 },
    ]);
    const dids: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const { publicKeyBase64 } = await generateKeyPair('Ed25519');
      const res = await post(t, '/api/v1/agents/register', { publicKey: publicKeyBase64, powNonce: '0' });
      assert.equal(res.statusCode, 201, res.body);
      dids.push((res.json() as { did: string }).did);
    }
    // Consents as the consent route stores them (the route itself is tested elsewhere; 600 signatures are slow).
    const now = t.clock.now();
    await storage.db
      .insertInto('integrator_consents')
      .values(
        dids.map((did, i) => ({
          integrator_slug: 'shop',
          agent_id: did.slice('did:identity:'.length),
          status: 'allowed',
          signed_at: now,
          signature_hash: i.toString(16).padStart(64, '0'),
          updated_at: now,
        })),
      )
      .execute();
    const batch = (round: number) =>
      dids.map((did, i) => ({
        envId: 'shop.production.v1',
        externalEventId: `r${round}-${i}`,
        eventType: 'task.completed',
        subjectType: 'agent',
        subjectId: did,
        actorType: 'human',
        actorId: 'user-1',
        metricValues: [{ metricKey: 'tasks', numberValue: 1 }],
      }));
    for (const round of [1, 2]) {
      const res = await ingest(t, key, batch(round));
      assert.equal(res.status, 200);
      const refused = res.body.results.filter((r) => !r.inserted);
      assert.deepEqual(refused.slice(0, 3), [], `round ${round}: ${refused.length} refused`);
      assert.equal(res.body.count, AGENTS);
    }
    // The environment allows one contribution per agent: the second round counted for nobody.
    const lanes = await storage.db
      .selectFrom('reputation_scores')
      .select(['agent_id', 'conduct_micro'])
      .where('scope', '=', 'global')
      .execute();
    assert.equal(lanes.length, AGENTS);
    assert.deepEqual(
      lanes.filter((r) => Number(r.conduct_micro) !== 1_000_000).map((r) => [r.agent_id, Number(r.conduct_micro)]),
      [],
    );
    const envs = await storage.db.selectFrom('reputation_env_counts').select('counted').execute();
    assert.equal(envs.length, AGENTS);
    assert.ok(envs.every((e) => Number(e.counted) === 1));
    assert.equal((await rebuildReputation(t.ctx, { dryRun: true })).consistent, true);
    await t.app.close();
  },
  { timeout: 180_000 },
);
