// Before storing the document a proposal makes, the authority verifies it against the one held (authority.ts #apply,
// verifyRegistry with lastSeen), and stores nothing when it does not verify. Removing that check left every registry
// test passing (mutation testing), since a document the authority signs itself always verifies while its stored row
// is sound. Here the stored chain hash no longer matches the document's chain (a damaged row): the apply must fail
// with nothing written, rather than store a document whose chain breaks from the one every consumer holds.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { addEcho, cosignature, foundersAndEcho, get, post } from './fixtures.ts';

eachEngine('an apply whose new document does not verify against the held chain stores nothing', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  try {
    const { is, registry } = await foundersAndEcho(app);
    // Damaged before the authority first reads the document, so it holds the damaged row, not a cached sound one.
    const row = await storage.db
      .selectFrom('registry_documents')
      .select(['chain_hash'])
      .where('name', '=', 'authority')
      .executeTakeFirstOrThrow();
    const last = row.chain_hash.at(-1) === '0' ? '1' : '0';
    await storage.db
      .updateTable('registry_documents')
      .set({ chain_hash: row.chain_hash.slice(0, -1) + last })
      .where('name', '=', 'authority')
      .execute();

    const now = app.clock.now();
    const add = await addEcho(registry, is, [is.alpha!], now);
    const posted = await post(app.app, '/v1/registry/proposals', add);
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    const id = posted.body.id as string;
    const before = await tableCounts(storage);
    const stored = await storage.db.selectFrom('registry_documents').selectAll().execute();

    const r = await post(app.app, `/v1/registry/proposals/${id}/signatures`, cosignature(add, is.bravo!, now));
    assert.equal(r.status, 500, JSON.stringify(r.body));
    assert.equal(r.body.code, 'INTERNAL');
    assert.deepEqual(await tableCounts(storage), before, 'nothing written');
    assert.deepEqual(await storage.db.selectFrom('registry_documents').selectAll().execute(), stored);
    assert.equal((await get(app.app, `/v1/registry/proposals/${id}`)).body.status, 'pending');
    assert.equal((await get(app.app, '/v1/registry/issuers/echo')).status, 404);
  } finally {
    await app.app.close();
  }
});
