// Registry proposals under concurrency, on two app instances ("processes") on one database: two different
// proposals about the same issuer reaching quorum at once apply one of them, never both; two last co-signatures of one
// proposal apply it once; a last co-signature racing the proposal's expiry never applies it after it expired.
import assert from 'node:assert/strict';
import { verifyRegistry, type RegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import { listAudit } from '../../src/storage/index.ts';
import { admin, cosignature, get, makeIssuers, post, proposal, unsigned, type TestIssuer } from './fixtures.ts';
import type { TestApp } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';

async function setup(open: () => Promise<Storage>) {
  const s1 = await open();
  const s2 = await open();
  const a = await makeApp(s1);
  const b = await makeApp(s2, { kek: a.kek, clock: a.clock });
  const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta']);
  const founders: TestIssuer[] = [is.alpha!, is.bravo!, is.charlie!, is.delta!];
  const g = await post(
    a.app,
    '/v1/registry/genesis',
    { issuers: founders.map((f) => f.entry), threshold: 2 },
    admin(a.adminKey),
  );
  assert.equal(g.status, 201, JSON.stringify(g.body));
  return { s1, s2, a, b, is, registry: g.body.registry as string };
}

async function verified(app: TestApp): Promise<RegistryDocument> {
  const doc = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
  const keys = (await get(app.app, '/.well-known/vouch-keys.json')).body.keys as Array<{ purpose: string; x: string }>;
  const root = keys.find((k) => k.purpose === 'registry-root')!;
  const report = await verifyRegistry(doc, { rootKey: `ed25519:${root.x}`, now: app.clock.now() });
  assert.equal(report.valid, true, JSON.stringify(report.failures));
  return doc;
}

eachEngine(
  'two different proposals about one issuer reach quorum at once on two processes: one applies, one is refused',
  async ({ open }) => {
    const { s1, a, b, is, registry } = await setup(open);
    try {
      const now = a.clock.now();
      // Remove delta (alpha) and update delta's endpoint (bravo): each needs one more co-signature.
      const rm = await proposal(
        { registry, baseSequence: 1, action: 'remove', subject: 'delta', reason: 'compromised' },
        [is.alpha!],
        now,
      );
      const up = await proposal(
        {
          registry,
          baseSequence: 1,
          action: 'update',
          subject: 'delta',
          entry: { ...unsigned(is.delta!.entry), endpoint: 'https://credentials.delta.example/v2' },
        },
        [is.bravo!],
        now,
      );
      const rmId = (await post(a.app, '/v1/registry/proposals', rm)).body.id as string;
      const upId = (await post(b.app, '/v1/registry/proposals', up)).body.id as string;
      const results = await Promise.all([
        post(a.app, `/v1/registry/proposals/${rmId}/signatures`, cosignature(rm, is.charlie!, now)),
        post(b.app, `/v1/registry/proposals/${upId}/signatures`, cosignature(up, is.charlie!, now)),
      ]);
      const applied = results.filter((r) => r.status === 200 && r.body.status === 'applied');
      const refused = results.filter((r) => r.status === 409);
      assert.equal(applied.length, 1, JSON.stringify(results.map((r) => r.body)));
      assert.equal(refused.length, 1, JSON.stringify(results.map((r) => r.body)));
      assert.match(String(refused[0]!.body.code), /^REGISTRY_(CONFLICT|PROPOSAL_STALE)$/);
      assert.equal((await listAudit(s1.db, { action: 'registry.apply' })).length, 1);

      // The stored proposals agree with the document: the applied one at step 2, the other stale.
      const winner = applied[0]!.body.id as string;
      const loser = winner === rmId ? upId : rmId;
      assert.equal((await get(a.app, `/v1/registry/proposals/${winner}`)).body.status, 'applied');
      assert.equal((await get(b.app, `/v1/registry/proposals/${loser}`)).body.status, 'stale');
      const doc = await verified(b);
      assert.equal(doc.sequence, 2);
      const delta = await get(a.app, '/v1/registry/issuers/delta');
      assert.equal(delta.body.status, winner === rmId ? 'revoked' : 'active');
      // The loser can no longer be completed.
      const late = await post(a.app, `/v1/registry/proposals/${loser}/signatures`, cosignature(rm, is.delta!, now));
      assert.equal(late.status, 409);
      assert.equal(late.body.code, 'REGISTRY_PROPOSAL_STALE');
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);

eachEngine('two last co-signatures of one proposal sent to two processes apply it once', async ({ open }) => {
  const { s1, a, b, is, registry } = await setup(open);
  try {
    const now = a.clock.now();
    const th = await proposal(
      { registry, baseSequence: 1, action: 'threshold', threshold: { required: 3 } },
      [is.alpha!],
      now,
    );
    const id = (await post(a.app, '/v1/registry/proposals', th)).body.id as string;
    const results = await Promise.all([
      post(a.app, `/v1/registry/proposals/${id}/signatures`, cosignature(th, is.bravo!, now)),
      post(b.app, `/v1/registry/proposals/${id}/signatures`, cosignature(th, is.charlie!, now)),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409], JSON.stringify(results.map((r) => r.body)));
    const loser = results.find((r) => r.status === 409)!;
    assert.equal(loser.body.code, 'REGISTRY_CONFLICT');
    assert.equal((await listAudit(s1.db, { action: 'registry.apply' })).length, 1);
    const doc = await verified(a);
    assert.equal(doc.sequence, 2);
    assert.deepEqual((await get(b.app, '/v1/registry')).body.threshold, { required: 3, total: 4 });
    // The applied proposal holds exactly the signatures it was applied with.
    const stored = (await get(b.app, `/v1/registry/proposals/${id}`)).body;
    assert.equal(stored.status, 'applied');
    assert.equal((stored.proposal as { signatures: unknown[] }).signatures.length, 2);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});

eachEngine(
  'a last co-signature whose proposal expires while it waits for the registry lock is refused, not applied',
  async ({ open, engine, t }) => {
    if (engine !== 'postgres') {
      // SQLite's registry transaction is not a Kysely transaction() the interleaving hook can see.
      t.skip('forced interleaving on PostgreSQL only');
      return;
    }
    const { s1, s2, a, b, is, registry } = await setup(open);
    try {
      const now = a.clock.now();
      const expiresAt = new Date(now + 60_000);
      const rm = await proposal(
        { registry, baseSequence: 1, action: 'remove', subject: 'delta', reason: 'x', expiresAt },
        [is.alpha!],
        now,
      );
      const id = (await post(a.app, '/v1/registry/proposals', rm)).body.id as string;
      const before = await tableCounts(s1);
      a.clock.advance(59_000);
      // The co-signature is checked at 59 s; the clock reaches the expiry before its transaction begins.
      beforeNextTransaction(s2.db, async () => {
        a.clock.set(expiresAt.getTime());
      });
      const res = await post(
        b.app,
        `/v1/registry/proposals/${id}/signatures`,
        cosignature(rm, is.bravo!, a.clock.now()),
      );
      // Refused as expired, as a co-signature that arrived after the expiry is (the time is read under the lock).
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.code, 'REGISTRY_PROPOSAL_EXPIRED');
      assert.deepEqual(await tableCounts(s1), before, 'nothing written');
      assert.equal((await get(a.app, '/v1/registry')).body.sequence, 1);
      assert.equal((await get(a.app, '/v1/registry/issuers/delta')).body.status, 'active');
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);
