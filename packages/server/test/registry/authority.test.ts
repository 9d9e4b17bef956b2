import assert from 'node:assert/strict';
import { verifyRegistry, type RegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { countQueries, updates } from '../helpers/query-count.ts';
import { makeApp, tableCounts, T0 } from '../helpers/app.ts';
import { listAudit } from '../../src/storage/index.ts';
import { checkRegistryIssuer } from '../../src/modules/registry/service.ts';
import { admin, cosignature, get, makeIssuers, post, proposal, unsigned, type TestIssuer } from './fixtures.ts';

const DAY = 86_400_000;

async function rootKeyFromWellKnown(app: Parameters<typeof get>[0]): Promise<string> {
  const { body } = await get(app, '/.well-known/vouch-keys.json');
  const keys = body.keys as Array<{ purpose: string; x: string; status: string }>;
  const root = keys.filter((k) => k.purpose === 'registry-root');
  assert.equal(root.length, 1);
  return `ed25519:${root[0]!.x}`;
}

async function genesis(app: Parameters<typeof post>[0], key: string, founders: TestIssuer[], threshold = 2) {
  return post(app, '/v1/registry/genesis', { issuers: founders.map((f) => f.entry), threshold }, admin(key));
}

eachEngine('genesis: admin only, 201 then 200 for the same, 409 for another; audited', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta']);
  const founders = [is.alpha!, is.bravo!, is.charlie!];

  const before = await tableCounts(storage);
  const anon = await post(app.app, '/v1/registry/genesis', { issuers: founders.map((f) => f.entry), threshold: 2 });
  assert.equal(anon.status, 401);
  assert.deepEqual(await tableCounts(storage), before);
  assert.equal((await get(app.app, '/.well-known/agent-trust.json')).body.code, 'REGISTRY_UNAVAILABLE');

  const bad = await genesis(app.app, app.adminKey, founders, 3);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, 'REGISTRY_THRESHOLD_INVALID');
  const both = await post(
    app.app,
    '/v1/registry/genesis',
    { issuers: founders.map((f) => f.entry), threshold: 2, document: {} },
    admin(app.adminKey),
  );
  assert.equal(both.status, 400);
  assert.deepEqual(await tableCounts(storage), before);

  const created = await genesis(app.app, app.adminKey, founders);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.sequence, 1);
  const again = await genesis(app.app, app.adminKey, founders);
  assert.equal(again.status, 200);
  assert.equal(again.body.chainHash, created.body.chainHash);
  const other = await genesis(app.app, app.adminKey, [is.alpha!, is.bravo!, is.delta!]);
  assert.equal(other.status, 409);
  assert.equal(other.body.code, 'REGISTRY_EXISTS');

  // Uploading a document: the same one is idempotent, another one conflicts.
  const doc = (await get(app.app, '/.well-known/agent-trust.json')).body;
  const upload = await post(app.app, '/v1/registry/genesis', { document: doc }, admin(app.adminKey));
  assert.equal(upload.status, 200);

  const audit = await listAudit(storage.db, { action: 'registry.genesis' });
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.actor, 'admin');
  await app.app.close();
});

eachEngine(
  'the served document verifies with the SDK against the root key of /.well-known/vouch-keys.json',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
    await genesis(app.app, app.adminKey, Object.values(is));
    const rootKey = await rootKeyFromWellKnown(app.app);
    const doc = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
    const report = await verifyRegistry(doc, { rootKey, now: app.clock.now() });
    assert.equal(report.valid, true, JSON.stringify(report.failures));
    const summary = await get(app.app, '/v1/registry');
    assert.equal(summary.body.mode, 'authority');
    assert.equal(summary.body.rootKey, rootKey);
    assert.equal((await get(app.app, '/v1/registry/issuers/alpha')).body.status, 'active');
    assert.equal((await get(app.app, '/v1/registry/issuers/zulu')).status, 404);
    assert.equal((await checkRegistryIssuer(app.ctx, 'bravo')).status, 'active');
    assert.equal((await checkRegistryIssuer(app.ctx, 'zulu')).status, 'unknown');
    await app.app.close();
  },
);

eachEngine('proposals over HTTP to quorum: add, threshold, remove', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
  const g = await genesis(app.app, app.adminKey, [is.alpha!, is.bravo!, is.charlie!, is.delta!]);
  const registry = g.body.registry as string;
  const now = () => app.clock.now();

  // add echo: posted by alpha (1/2), bravo's signature makes the quorum.
  const add = await proposal(
    { registry, baseSequence: 1, action: 'add', entry: unsigned(is.echo!.entry) },
    [is.alpha!],
    now(),
  );
  const posted = await post(app.app, '/v1/registry/proposals', add);
  assert.equal(posted.status, 201, JSON.stringify(posted.body));
  assert.equal(posted.body.status, 'pending');
  const id = posted.body.id as string;
  assert.equal((await get(app.app, `/v1/registry/proposals/${id}`)).body.status, 'pending');
  app.clock.advance(60_000);
  const signed = await post(app.app, `/v1/registry/proposals/${id}/signatures`, cosignature(add, is.bravo!, now()));
  assert.equal(signed.status, 200, JSON.stringify(signed.body));
  assert.equal(signed.body.status, 'applied');
  assert.equal(signed.body.appliedSequence, 2);
  assert.equal((await get(app.app, '/v1/registry/issuers/echo')).body.status, 'active');
  const again = await post(app.app, `/v1/registry/proposals/${id}/signatures`, cosignature(add, is.charlie!, now()));
  assert.equal(again.status, 409);
  assert.equal(again.body.code, 'REGISTRY_CONFLICT');

  // threshold 3 of 5
  const th = await proposal(
    { registry, baseSequence: 2, action: 'threshold', threshold: { required: 3 } },
    [is.delta!],
    now(),
  );
  const thId = (await post(app.app, '/v1/registry/proposals', th)).body.id as string;
  const thDone = await post(app.app, `/v1/registry/proposals/${thId}/signatures`, cosignature(th, is.echo!, now()));
  assert.equal(thDone.body.status, 'applied');
  assert.deepEqual((await get(app.app, '/v1/registry')).body.threshold, { required: 3, total: 5 });

  // remove echo: needs three co-signers now; a fully signed proposal applies as it is posted.
  const rm = await proposal(
    { registry, baseSequence: 3, action: 'remove', subject: 'echo', reason: 'left' },
    [is.alpha!, is.bravo!],
    now(),
  );
  const rmPosted = await post(app.app, '/v1/registry/proposals', rm);
  assert.equal(rmPosted.body.status, 'pending');
  assert.deepEqual((rmPosted.body.quorum as { valid: number }).valid, 2);
  const rmDone = await post(
    app.app,
    `/v1/registry/proposals/${rmPosted.body.id as string}/signatures`,
    cosignature(rm, is.charlie!, now()),
  );
  assert.equal(rmDone.body.status, 'applied');
  assert.equal((await get(app.app, '/v1/registry/issuers/echo')).body.status, 'revoked');
  assert.equal((await checkRegistryIssuer(app.ctx, 'echo')).status, 'revoked');

  const rootKey = await rootKeyFromWellKnown(app.app);
  const doc = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
  const report = await verifyRegistry(doc, { rootKey, now: now() });
  assert.equal(report.valid, true, JSON.stringify(report.failures));
  assert.equal(report.sequence, 4);
  const list = await get(app.app, '/v1/registry/proposals?status=applied');
  assert.equal((list.body.proposals as unknown[]).length, 3);
  assert.equal((await listAudit(storage.db, { action: 'registry.apply' })).length, 3);
  await app.app.close();
});

eachEngine(
  'signature refusals: bad signature, self, duplicate, stale signedAt, non-issuer; nothing written',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta', 'echo', 'zulu']);
    const g = await genesis(app.app, app.adminKey, [is.alpha!, is.bravo!, is.charlie!, is.delta!, is.echo!], 3);
    const registry = g.body.registry as string;
    const now = app.clock.now();
    const rm = await proposal(
      { registry, baseSequence: 1, action: 'remove', subject: 'delta', reason: 'x' },
      [is.alpha!],
      now,
    );

    // Posting: no signature, or a signature that does not count, is refused.
    const noSig = await post(app.app, '/v1/registry/proposals', { ...rm, signatures: [] });
    assert.equal(noSig.body.code, 'REGISTRY_SIGNATURE_REFUSED');
    const byStranger = await post(app.app, '/v1/registry/proposals', {
      ...rm,
      signatures: [cosignature(rm, is.zulu!, now)],
    });
    assert.equal(byStranger.body.code, 'REGISTRY_SIGNATURE_REFUSED');
    assert.match(String(byStranger.body.error), /unknown/);

    const id = (await post(app.app, '/v1/registry/proposals', rm)).body.id as string;
    const before = await tableCounts(storage);
    const url = `/v1/registry/proposals/${id}/signatures`;
    const cases: Array<[string, unknown, RegExp]> = [
      ['bad signature', cosignature(rm, is.bravo!, now, is.charlie!.pair), /invalid-signature/],
      ['self', cosignature(rm, is.delta!, now), /subject/],
      ['duplicate', cosignature(rm, is.alpha!, now), /duplicate-signer/],
      ['stale signedAt', cosignature(rm, is.bravo!, now - 3_600_000), /signedAt/],
      ['future signedAt', cosignature(rm, is.bravo!, now + 3_600_000), /signedAt/],
      ['non-issuer', cosignature(rm, is.zulu!, now), /unknown/],
    ];
    for (const [what, body, why] of cases) {
      const r = await post(app.app, url, body);
      assert.equal(r.status, 400, what);
      assert.equal(r.body.code, 'REGISTRY_SIGNATURE_REFUSED', what);
      assert.match(String(r.body.error), why, what);
    }
    assert.deepEqual(await tableCounts(storage), before);
    const unknownProposal = await post(
      app.app,
      `/v1/registry/proposals/${'0'.repeat(64)}/signatures`,
      cosignature(rm, is.bravo!, now),
    );
    assert.equal(unknownProposal.status, 404);
    const ok = await post(app.app, url, cosignature(rm, is.bravo!, now));
    assert.equal(ok.status, 200);
    assert.equal(ok.body.status, 'pending');
    assert.equal((ok.body.quorum as { text: string }).text, 'signed by 2/3');
    await app.app.close();
  },
);

eachEngine(
  'the same proposal posted to two app instances on one database at once: one applies it, the other answers it applied',
  async ({ open }) => {
    const s1 = await open();
    const s2 = await open();
    const a = await makeApp(s1);
    const b = await makeApp(s2, { kek: a.kek, clock: a.clock });
    const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta']);
    const g = await genesis(a.app, a.adminKey, [is.alpha!, is.bravo!, is.charlie!, is.delta!]);
    const registry = g.body.registry as string;
    const th = await proposal(
      { registry, baseSequence: 1, action: 'threshold', threshold: { required: 3 } },
      [is.alpha!, is.bravo!],
      a.clock.now(),
    );
    const results = await Promise.all([
      post(a.app, '/v1/registry/proposals', th),
      post(b.app, '/v1/registry/proposals', th),
    ]);
    const statuses = results.map((r) => r.status).sort();
    // The second is a repeat of the first (a retry sent elsewhere): answered as applied, never applied twice.
    assert.deepEqual(statuses, [200, 201], JSON.stringify(results.map((r) => r.body)));
    assert.deepEqual(
      results.map((r) => [r.body.status, r.body.appliedSequence]),
      [
        ['applied', 2],
        ['applied', 2],
      ],
    );
    assert.equal((await get(b.app, '/v1/registry')).body.sequence, 2);
    assert.equal((await listAudit(s1.db, { action: 'registry.apply' })).length, 1);

    // A proposal made for the old sequence is stale now.
    const late = await proposal(
      { registry, baseSequence: 1, action: 'remove', subject: 'delta', reason: 'x' },
      [is.alpha!],
      a.clock.now(),
    );
    const stale = await post(b.app, '/v1/registry/proposals', late);
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'REGISTRY_PROPOSAL_STALE');
    await a.app.close();
    await b.app.close();
  },
);

eachEngine('re-signs at half-life: same sequence and chain, new expiry; verifies', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
  const g = await genesis(app.app, app.adminKey, Object.values(is));
  const first = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
  assert.equal(Date.parse(first.expiresAt) - Date.parse(first.updatedAt), 7 * DAY);

  app.clock.set(T0 + 3.4 * DAY);
  const before = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
  assert.equal(before.updatedAt, first.updatedAt);

  app.clock.set(T0 + 3.6 * DAY);
  const after = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
  assert.equal(after.updatedAt, new Date(T0 + 3.6 * DAY).toISOString());
  assert.equal(after.sequence, 1);
  assert.equal(Date.parse(after.expiresAt), T0 + 10.6 * DAY);
  const rootKey = await rootKeyFromWellKnown(app.app);
  const report = await verifyRegistry(after, {
    rootKey,
    now: T0 + 8 * DAY,
    lastSeen: { sequence: 1, chainHash: g.body.chainHash as string },
  });
  assert.equal(report.valid, true, JSON.stringify(report.failures));
  await app.app.close();
});

eachEngine('readers past half-life at once share one re-sign', async ({ open }) => {
  const storage = await open();
  // Counts the document rewrites the app sends.
  const rewrites = countQueries(storage, (node) => updates(node, 'registry_documents'));
  const app = await makeApp(rewrites.storage);
  try {
    const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
    await genesis(app.app, app.adminKey, Object.values(is));
    app.clock.set(T0 + 3.6 * DAY);
    const before = rewrites.counted();
    const docs = await Promise.all(
      Array.from({ length: 20 }, async () => (await get(app.app, '/.well-known/agent-trust.json')).body),
    );
    assert.equal(rewrites.counted() - before, 1, 'one signature and one rewrite for 20 readers');
    const updated = new Set(docs.map((d) => (d as unknown as RegistryDocument).updatedAt));
    assert.deepEqual([...updated], [new Date(T0 + 3.6 * DAY).toISOString()], 'every reader got the re-signed document');
    // A later half-life re-signs again: the shared re-sign is not kept past its own version.
    app.clock.set(T0 + 7.2 * DAY);
    const later = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
    assert.equal(later.updatedAt, new Date(T0 + 7.2 * DAY).toISOString());
    assert.equal(rewrites.counted() - before, 2);
  } finally {
    await app.app.close();
    await storage.close();
  }
});

eachEngine('VOUCH_REGISTRY_VALIDITY sets the lifetime', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage, { env: { VOUCH_REGISTRY_VALIDITY: '3600' } });
  const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
  await genesis(app.app, app.adminKey, Object.values(is));
  const doc = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
  assert.equal(Date.parse(doc.expiresAt) - Date.parse(doc.updatedAt), 3_600_000);
  await app.app.close();
});
