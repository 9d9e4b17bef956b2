// store.settleProposals (marking the applied proposal and its stale siblings, inside the apply's transaction) runs its
// queries without translateErrors, unlike the other registry store functions. A database fault there is still
// answered 503 DATABASE_UNAVAILABLE (the error handler translates what reaches it), and the transaction leaves
// nothing: neither the new document nor the co-signature. A trigger fails the settling update with a fault both
// engines' error translation reads as "the database is unavailable" (PostgreSQL: SQLSTATE 57P01, admin shutdown).
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { addEcho, cosignature, foundersAndEcho, get, post } from './fixtures.ts';

eachEngine(
  'a database fault while settling an applied proposal is 503 and writes nothing',
  async ({ open, engine }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const { is, registry } = await foundersAndEcho(app);
      const now = app.clock.now();
      const add = await addEcho(registry, is, [is.alpha!], now);
      const id = (await post(app.app, '/v1/registry/proposals', add)).body.id as string;
      if (engine === 'postgres') {
        await sql
          .raw(
            `create function fail_settle() returns trigger language plpgsql as $$ begin ` +
              `raise exception 'terminating connection' using errcode = '57P01'; end $$; ` +
              `create trigger fail_settle before update on registry_proposals for each row ` +
              `when (new.status = 'applied') execute function fail_settle()`,
          )
          .execute(storage.db);
      } else {
        await sql
          .raw(
            `create trigger fail_settle before update on registry_proposals when new.status = 'applied' ` +
              `begin select raise(abort, 'The database connection is not open'); end`,
          )
          .execute(storage.db);
      }
      const before = await tableCounts(storage);
      const documents = await storage.db.selectFrom('registry_documents').selectAll().execute();

      const r = await post(app.app, `/v1/registry/proposals/${id}/signatures`, cosignature(add, is.bravo!, now));
      assert.equal(r.status, 503, JSON.stringify(r.body));
      assert.equal(r.body.code, 'DATABASE_UNAVAILABLE');
      assert.deepEqual(await tableCounts(storage), before, 'nothing written');
      assert.deepEqual(await storage.db.selectFrom('registry_documents').selectAll().execute(), documents);
      const held = await get(app.app, `/v1/registry/proposals/${id}`);
      assert.equal(held.body.status, 'pending');
      assert.equal((held.body.proposal as { signatures: unknown[] }).signatures.length, 1);
    } finally {
      await app.app.close();
    }
  },
);
