// A consumer audits what changes its trust: the admin's POST /v1/registry/refresh (actor admin, with its outcome) and
// each adoption of a new document sequence, whether a refresh was asked for or ran on its own (actor
// registry-refresh, with the registry id, the old and new sequence and the source shown without its query).
import assert from 'node:assert/strict';
import {
  applyProposal,
  createGenesis,
  generateKeyPair,
  replayGovernance,
  signRegistryDocument,
  type GeneratedKeyPair,
} from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { listAudit } from '../../src/storage/audit.ts';
import { admin, makeIssuers, post, proposal, registrySource } from './fixtures.ts';

async function versions(root: GeneratedKeyPair) {
  const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta']);
  const v1 = await createGenesis({
    rootKey: root.privateKey,
    issuers: Object.values(is).map((i) => i.entry),
    threshold: 2,
    now: T0,
  });
  const rm = await proposal(
    { registry: v1.registry, baseSequence: 1, action: 'remove', subject: 'delta', reason: 'left' },
    [is.alpha!, is.bravo!],
    T0 + 1000,
  );
  const s2 = applyProposal(replayGovernance(v1.governance).state!, rm, { appliedAt: T0 + 1000 }).state;
  const v2 = await signRegistryDocument(s2, { rootKey: root.privateKey, now: T0 + 1000 });
  // The same sequence signed again later: no new sequence, so no adoption entry.
  const v2again = await signRegistryDocument(s2, { rootKey: root.privateKey, now: T0 + 3000 });
  return { v1, v2, v2again };
}

eachEngine('consumer: admin refreshes and adoptions of a new sequence are audited', async ({ open }) => {
  const root = await generateKeyPair('Ed25519');
  const { v1, v2, v2again } = await versions(root);
  const src = await registrySource(v1);
  const storage = await open();
  const clock = new ManualClock(T0 + 5000);
  // A signed URL's credential rides in the query: the audit shows the source without it.
  const url = `${src.url}?sig=s3cr3t-query-credential`;
  const t = await makeApp(storage, {
    clock,
    env: {
      VOUCH_TRUST_REGISTRY_URL: url,
      VOUCH_TRUST_REGISTRY_ROOT_KEY: root.publicKeyRegistry!,
      VOUCH_TRUST_REGISTRY_TTL: '60',
    },
  });
  const entries = async () =>
    (await listAudit(storage.db, { limit: 1000 }))
      .filter((e) => e.action.startsWith('registry.'))
      .reverse()
      .map((e) => ({ at: e.at, actor: e.actor, action: e.action, target: e.target, details: e.details }));
  try {
    // At start, the first document is adopted on the consumer's own refresh.
    const adopt1 = {
      at: T0 + 5000,
      actor: 'registry-refresh',
      action: 'registry.adopt',
      target: v1.registry,
      details: { registry: v1.registry, oldSequence: null, newSequence: 1, source: src.url },
    };
    assert.deepEqual(await entries(), [adopt1]);

    // The admin's refresh of the same document: audited with its outcome, no adoption.
    clock.advance(1000);
    const same = await post(t.app, '/v1/registry/refresh', {}, admin(t.adminKey));
    assert.equal(same.body.outcome, 'unchanged');
    const refresh1 = {
      at: T0 + 6000,
      actor: 'admin',
      action: 'registry.refresh',
      target: v1.registry,
      details: { outcome: 'unchanged', accepted: true, sequence: 1, source: src.url },
    };
    assert.deepEqual(await entries(), [adopt1, refresh1]);

    // Sequence 2, taken by the refresh a read starts once the TTL has passed: adopted, no admin entry.
    src.set(v2);
    clock.advance(61_000);
    assert.equal((await t.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' })).statusCode, 200);
    const adopt2 = {
      at: T0 + 67_000,
      actor: 'registry-refresh',
      action: 'registry.adopt',
      target: v1.registry,
      details: { registry: v1.registry, oldSequence: 1, newSequence: 2, source: src.url },
    };
    assert.deepEqual(await entries(), [adopt1, refresh1, adopt2]);

    // A later signing of sequence 2, taken on the admin's refresh: stored, but no new sequence to audit.
    src.set(v2again);
    clock.advance(1000);
    const resigned = await post(t.app, '/v1/registry/refresh', {}, admin(t.adminKey));
    assert.equal(resigned.body.outcome, 'updated');
    const refresh2 = {
      at: T0 + 68_000,
      actor: 'admin',
      action: 'registry.refresh',
      target: v1.registry,
      details: { outcome: 'updated', accepted: true, sequence: 2, source: src.url },
    };
    assert.deepEqual(await entries(), [adopt1, refresh1, adopt2, refresh2]);

    // Refusals are audited with their outcome: an unreachable source, then a rollback to sequence 1.
    src.set(null);
    clock.advance(1000);
    assert.equal((await post(t.app, '/v1/registry/refresh', {}, admin(t.adminKey))).body.outcome, 'UNREACHABLE');
    src.set(v1);
    clock.advance(1000);
    assert.equal((await post(t.app, '/v1/registry/refresh', {}, admin(t.adminKey))).body.outcome, 'REGISTRY_ROLLBACK');
    const after = await entries();
    assert.deepEqual(after.slice(4), [
      {
        at: T0 + 69_000,
        actor: 'admin',
        action: 'registry.refresh',
        target: v1.registry,
        details: { outcome: 'UNREACHABLE', accepted: false, sequence: null, source: src.url },
      },
      {
        at: T0 + 70_000,
        actor: 'admin',
        action: 'registry.refresh',
        target: v1.registry,
        details: { outcome: 'REGISTRY_ROLLBACK', accepted: false, sequence: null, source: src.url },
      },
    ]);
    // The admin entries carry the request id; nothing of the query is anywhere in the log.
    const all = await listAudit(storage.db, { limit: 1000 });
    assert.ok(all.filter((e) => e.action === 'registry.refresh').every((e) => e.requestId !== null));
    assert.doesNotMatch(JSON.stringify(all), /s3cr3t/);
  } finally {
    await t.app.close();
    src.server.close();
  }
});

eachEngine('an authority refuses POST /v1/registry/refresh with 409 and audits nothing', async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage);
  try {
    const res = await post(t.app, '/v1/registry/refresh', {}, admin(t.adminKey));
    assert.equal(res.status, 409);
    assert.deepEqual(await listAudit(storage.db, { action: 'registry.refresh' }), []);
  } finally {
    await t.app.close();
  }
});
