// A consumer audits what changes its trust: the admin's POST /v1/registry/refresh (actor admin, with its outcome) and
// each adoption of a new document sequence, whether a refresh was asked for or ran on its own (actor
// registry-refresh, with the registry id, the old and new sequence and the source shown without its query).
import assert from 'node:assert/strict';
import { generateKeyPair, signRegistryDocument, type GeneratedKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { listAudit } from '../../src/storage/audit.ts';
import { admin, consumerEnv, post, registrySource, removed, signedGenesis } from './fixtures.ts';

async function versions(root: GeneratedKeyPair) {
  const { is, doc: v1, state: s1 } = await signedGenesis(root, ['alpha', 'bravo', 'charlie', 'delta']);
  const s2 = await removed(s1, is, 'delta', T0 + 1000);
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
  const t = await makeApp(storage, { clock, env: consumerEnv(url, root) });
  const entries = async () =>
    (await listAudit(storage.db, { limit: 1000 }))
      .filter((e) => e.action.startsWith('registry.'))
      .reverse()
      .map((e) => ({ at: e.at, actor: e.actor, action: e.action, target: e.target, details: e.details }));
  // The admin's refresh, a second after the last step: the outcome it answers.
  const refresh = async () => {
    clock.advance(1000);
    return (await post(t.app, '/v1/registry/refresh', {}, admin(t.adminKey))).body.outcome;
  };
  // The entries expected of an admin's refresh and of an adoption.
  const refreshed = (at: number, outcome: string, accepted: boolean, sequence: number | null) => ({
    at,
    actor: 'admin',
    action: 'registry.refresh',
    target: v1.registry,
    details: { outcome, accepted, sequence, source: src.url },
  });
  const adopted = (at: number, oldSequence: number | null, newSequence: number) => ({
    at,
    actor: 'registry-refresh',
    action: 'registry.adopt',
    target: v1.registry,
    details: { registry: v1.registry, oldSequence, newSequence, source: src.url },
  });
  try {
    // At start, the first document is adopted on the consumer's own refresh.
    const adopt1 = adopted(T0 + 5000, null, 1);
    assert.deepEqual(await entries(), [adopt1]);

    // The admin's refresh of the same document: audited with its outcome, no adoption.
    assert.equal(await refresh(), 'unchanged');
    const refresh1 = refreshed(T0 + 6000, 'unchanged', true, 1);
    assert.deepEqual(await entries(), [adopt1, refresh1]);

    // Sequence 2, taken by the refresh a read starts once the TTL has passed: adopted, no admin entry.
    src.set(v2);
    clock.advance(61_000);
    assert.equal((await t.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' })).statusCode, 200);
    const adopt2 = adopted(T0 + 67_000, 1, 2);
    assert.deepEqual(await entries(), [adopt1, refresh1, adopt2]);

    // A later signing of sequence 2, taken on the admin's refresh: stored, but no new sequence to audit.
    src.set(v2again);
    assert.equal(await refresh(), 'updated');
    const refresh2 = refreshed(T0 + 68_000, 'updated', true, 2);
    assert.deepEqual(await entries(), [adopt1, refresh1, adopt2, refresh2]);

    // Refusals are audited with their outcome: an unreachable source, then a rollback to sequence 1.
    src.set(null);
    assert.equal(await refresh(), 'UNREACHABLE');
    src.set(v1);
    assert.equal(await refresh(), 'REGISTRY_ROLLBACK');
    const after = await entries();
    assert.deepEqual(after.slice(4), [
      refreshed(T0 + 69_000, 'UNREACHABLE', false, null),
      refreshed(T0 + 70_000, 'REGISTRY_ROLLBACK', false, null),
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
