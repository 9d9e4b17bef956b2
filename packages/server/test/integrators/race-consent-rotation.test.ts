// A consent whose signature was made with the agent's old key, sent while the agent rotates its key away (two
// processes): the consent was checked against the key before the rotation, and is stored after the rotation was
// answered. "A key rotated away since (lost, or leaked) signs nothing new": the consent must be refused (403
// SIGNATURE_KEY_ROTATED) and nothing stored, as it is when the rotation comes first.
import assert from 'node:assert/strict';
import type { KyselyPlugin, QueryId } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { selectsFrom } from '../helpers/query-count.ts';
import type { Storage } from '../../src/storage/index.ts';
import { newPair, rotateKey } from '../agents/helpers.ts';
import { consentPayloadHash, getConsentStatus } from '../../src/modules/integrators/service.ts';
import { createIntegrator, post, recordSignature, registerAgent } from './helpers.ts';
import type { TestAgent } from './helpers.ts';
import type { TestApp } from '../helpers/app.ts';

const ENV = { VOUCH_PUBLIC_URL: 'https://vouch.test', VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent' };

/** `storage` whose first read of a consent, once armed, runs `step` after the read answered. */
function afterConsentRead(storage: Storage): { storage: Storage; arm(step: () => Promise<void>): void } {
  let step: (() => Promise<void>) | undefined;
  const reads = new Set<QueryId>();
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      if (step !== undefined && selectsFrom(args.node, 'integrator_consents')) reads.add(args.queryId);
      return args.node;
    },
    async transformResult(args) {
      if (step !== undefined && reads.has(args.queryId)) {
        const run = step;
        step = undefined;
        await run();
      }
      return args.result;
    },
  };
  return {
    storage: {
      ...storage,
      db: storage.db.withPlugin(plugin),
      ping: () => storage.ping(),
      close: () => storage.close(),
    },
    arm: (s) => {
      step = s;
    },
  };
}

async function rotate(t: TestApp, agent: TestAgent): Promise<void> {
  const next = await newPair();
  const res = await rotateKey(t.app, agent.did, agent.key, next, t.clock.now());
  assert.equal(res.statusCode, 200, res.body);
  agent.key = next;
}

eachEngine('a consent signed with a key rotated away while it is being stored is refused', async ({ open }) => {
  const s1 = await open();
  const hooked = afterConsentRead(await open());
  const a = await makeApp(s1, { env: ENV });
  const b = await makeApp(hooked.storage, { env: ENV, kek: a.kek, clock: a.clock });
  try {
    await createIntegrator(a, 'shop', []);
    const agent = await registerAgent(a);
    // Signed and recorded with the key the agent is about to rotate away from (say it leaked).
    const signedAt = a.clock.now();
    const payloadHash = consentPayloadHash({ did: agent.did, integratorSlug: 'shop', action: 'allow', signedAt });
    const signatureHash = await recordSignature(a, agent, payloadHash, signedAt);
    const before = await tableCounts(s1);
    // Process b has checked the consent; process a rotates the key (answered) before b stores it.
    let rotated = false;
    hooked.arm(async () => {
      await rotate(a, agent);
      rotated = true;
    });
    const res = await post(b, '/api/v1/integrators/consent', {
      integratorSlug: 'shop',
      did: agent.did,
      action: 'allow',
      signatureHash,
      signedAt,
    });
    assert.ok(rotated, 'the rotation ran inside the consent request');
    assert.equal(res.statusCode, 403, res.body);
    assert.equal((res.json() as { code: string }).code, 'SIGNATURE_KEY_ROTATED');
    assert.equal(await getConsentStatus(a.ctx, 'shop', agent.id), 'none');
    const after = await tableCounts(s1);
    assert.equal(after.integrator_consents, before.integrator_consents, 'no consent stored with the rotated key');
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
