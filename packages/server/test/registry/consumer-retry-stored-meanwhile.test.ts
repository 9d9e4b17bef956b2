// A consumer writes a fetched document only over the exact row it verified it against; when another process stored a
// document in between, it reads and verifies again (#acceptRetrying). No test let a retry succeed, so giving up at the
// first or second lost write passed: two documents stored meanwhile must still let the fetched one in on the third
// attempt, and a third stored meanwhile ends the refresh (REGISTRY_ROLLBACK) with the stored document served.
import assert from 'node:assert/strict';
import {
  generateKeyPair,
  parsePublicKey,
  signRegistryDocument,
  verifyRegistry,
  type RegistryDocument,
} from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { listenerHears } from '../helpers/listening.ts';
import { ManualClock } from '../../src/clock.ts';
import { listAudit } from '../../src/storage/audit.ts';
import type { Database, Engine, Storage } from '../../src/storage/index.ts';
import { readDocument, replaceDocument } from '../../src/modules/registry/store.ts';
import { admin, consumerEnv, get, post, registrySource, removed, signedGenesis } from './fixtures.ts';
import type { Kysely } from 'kysely';

/** Sequences 1 to 5 of one registry, each a removal signed a second after the one before. */
async function fiveVersions() {
  const root = await generateKeyPair('Ed25519');
  const {
    is,
    doc: v1,
    state,
  } = await signedGenesis(root, ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf']);
  const docs: RegistryDocument[] = [v1];
  let s = state;
  for (const [i, subject] of ['charlie', 'delta', 'echo', 'foxtrot'].entries()) {
    s = await removed(s, is, subject, T0 + 1000 * (i + 1));
    docs.push(await signRegistryDocument(s, { rootKey: root.privateKey, now: T0 + 1000 * (i + 1) }));
  }
  return { root, docs };
}

/**
 * Another process's writes, made directly (no announcement, so nothing else reads meanwhile): each of `docs` replaces
 * the stored one just after the consumer on `watched` has read the stored row, one per read.
 */
function storeAfterEachRead(watched: Kysely<Database>, other: Kysely<Database>, docs: RegistryDocument[], key: string) {
  const rootKey = parsePublicKey(key, { type: 'Ed25519' });
  const [doc, ...rest] = docs;
  if (doc === undefined) return;
  afterNextPoolQuery(watched, /from "registry_documents"/, async () => {
    const before = (await readDocument(other, 'consumer'))!;
    const report = await verifyRegistry(doc, { rootKey, now: T0 + 5000 });
    assert.ok(report.valid && report.chainHash !== undefined, JSON.stringify(report.failures));
    const row = {
      sequence: doc.sequence,
      chain_hash: report.chainHash,
      document: JSON.stringify(doc),
      updated_at: Date.parse(doc.updatedAt),
      expires_at: Date.parse(doc.expiresAt),
    };
    const took = await replaceDocument(other, 'consumer', { sequence: before.sequence }, row);
    assert.equal(took, true);
    storeAfterEachRead(watched, other, rest, key);
  });
}

/**
 * A consumer at sequence 1 of `docs`, and a second connection for the other process's writes. On PostgreSQL, once its
 * listener is up: what it hears at connecting ("everything") and its own write of sequence 1 make it read the stored
 * document, and a read heard late would take the place of one of the refresh's reads that the test interleaves with.
 */
async function consumerAtOne(engine: Engine, open: () => Promise<Storage>) {
  const { root, docs } = await fiveVersions();
  const src = await registrySource(docs[0]!);
  const storage = await open();
  const other = await open();
  const app = await makeApp(storage, { env: consumerEnv(src.url, root), clock: new ManualClock(T0 + 5000) });
  assert.equal((await get(app.app, '/v1/registry')).body.sequence, 1);
  if (engine === 'postgres') await listenerHears(storage);
  const close = async () => {
    await app.app.close();
    await other.close();
    src.server.close();
  };
  return { root, docs, src, storage, other, app, close };
}

eachEngine('consumer retry: two documents stored meanwhile still let the fetched one in', async ({ engine, open }) => {
  const { root, docs, src, storage, other, app, close } = await consumerAtOne(engine, open);
  try {
    // Sequence 4 fetched; 2 and then 3 are stored after each of its first two reads: the third attempt writes it.
    src.set(docs[3]!);
    storeAfterEachRead(storage.db, other.db, [docs[1]!, docs[2]!], root.publicKeyRegistry!);
    const took = await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey));
    assert.equal(took.body.outcome, 'updated', JSON.stringify(took.body));
    assert.equal(took.body.sequence, 4);
    assert.equal((await readDocument(other.db, 'consumer'))!.sequence, 4);
    const adopt = (await listAudit(storage.db, { limit: 100 })).find((e) => e.action === 'registry.adopt');
    assert.deepEqual([adopt?.details?.oldSequence, adopt?.details?.newSequence], [3, 4], 'over the row read last');
    assert.equal((await get(app.app, '/v1/registry')).body.sequence, 4);
  } finally {
    await close();
  }
});

eachEngine(
  'consumer retry: a third document stored meanwhile ends the refresh, the stored one served',
  async ({ engine, open }) => {
    const { root, docs, src, storage, other, app, close } = await consumerAtOne(engine, open);
    try {
      src.set(docs[4]!);
      storeAfterEachRead(storage.db, other.db, [docs[1]!, docs[2]!, docs[3]!], root.publicKeyRegistry!);
      const gaveUp = await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey));
      assert.equal(gaveUp.body.accepted, false, JSON.stringify(gaveUp.body));
      assert.equal(gaveUp.body.outcome, 'REGISTRY_ROLLBACK');
      assert.equal(gaveUp.body.message, 'A later document was stored meanwhile.');
      assert.equal((await readDocument(other.db, 'consumer'))!.sequence, 4, 'the document stored last stays');
      assert.equal((await get(app.app, '/v1/registry')).body.sequence, 4, 'and is the one served');
    } finally {
      await close();
    }
  },
);

eachEngine(
  'consumer retry: a later signing stored meanwhile is not replaced by an earlier one',
  async ({ engine, open }) => {
    const root = await generateKeyPair('Ed25519');
    const { is, doc: v1, state } = await signedGenesis(root, ['alpha', 'bravo', 'charlie', 'delta']);
    const s2 = await removed(state, is, 'delta', T0 + 1000);
    const [early, mid, late] = await Promise.all(
      [1000, 2000, 3000].map((d) => signRegistryDocument(s2, { rootKey: root.privateKey, now: T0 + d })),
    );
    const src = await registrySource(v1);
    const storage = await open();
    const other = await open();
    const app = await makeApp(storage, { env: consumerEnv(src.url, root), clock: new ManualClock(T0 + 5000) });
    try {
      src.set(early!);
      assert.equal((await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey))).body.outcome, 'updated');
      if (engine === 'postgres') await listenerHears(storage); // its own write heard, as in consumerAtOne
      // The source serves the signing at T0 + 2 s; after this process read the stored one (T0 + 1 s), another stores
      // the signing at T0 + 3 s of the same sequence: the earlier one fetched must not go over it.
      src.set(mid!);
      storeAfterEachRead(storage.db, other.db, [late!], root.publicKeyRegistry!);
      const r = await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey));
      assert.equal(r.body.outcome, 'unchanged', JSON.stringify(r.body));
      assert.equal((await readDocument(other.db, 'consumer'))!.updated_at, Date.parse(late!.updatedAt));
    } finally {
      await app.app.close();
      await other.close();
      src.server.close();
    }
  },
);
