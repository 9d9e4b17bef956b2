// The state a crash between storing a proposal's last co-signature and applying it could leave behind before both
// became one transaction (signatures at quorum, proposal still pending), made directly in the database, as a
// database upgraded from such a version may hold it: the client's retry of that signature applies it once instead of
// being refused as a duplicate and leaving the proposal pending for good.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { admin, cosignature, get, makeIssuers, post, proposal, unsigned } from '../registry/fixtures.ts';

eachEngine('a stored but unapplied quorum is applied by the retried last signature', async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage);
  const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta']);
  const g = await post(
    t.app,
    '/v1/registry/genesis',
    { issuers: [is.alpha!, is.bravo!, is.charlie!].map((i) => i.entry), threshold: 2 },
    admin(t.adminKey),
  );
  assert.equal(g.status, 201, JSON.stringify(g.body));
  const add = await proposal(
    { registry: g.body.registry as string, baseSequence: 1, action: 'add', entry: unsigned(is.delta!.entry) },
    [is.alpha!],
    t.clock.now(),
  );
  const posted = await post(t.app, '/v1/registry/proposals', add);
  assert.equal(posted.status, 201, JSON.stringify(posted.body));
  const id = posted.body.id as string;

  // What the first of the two separate writes of a co-signature left when the process died before the second.
  const last = cosignature(add, is.bravo!, t.clock.now());
  const row = await storage.db
    .selectFrom('registry_proposals')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  await storage.db
    .updateTable('registry_proposals')
    .set({ proposal: JSON.stringify({ ...add, signatures: [...add.signatures, last] }), version: row.version + 1 })
    .where('id', '=', id)
    .execute();
  assert.equal((await get(t.app, `/v1/registry/proposals/${id}`)).body.status, 'pending');

  const retried = await post(t.app, `/v1/registry/proposals/${id}/signatures`, last);
  assert.equal(retried.status, 200, JSON.stringify(retried.body));
  assert.equal(retried.body.status, 'applied');
  assert.equal(retried.body.appliedSequence, 2);
  assert.equal((await get(t.app, '/v1/registry')).body.sequence, 2);
  // Once: a further retry is a conflict, and the registry does not move.
  const again = await post(t.app, `/v1/registry/proposals/${id}/signatures`, last);
  assert.equal(again.status, 409);
  assert.equal(again.body.code, 'REGISTRY_CONFLICT');
  assert.equal((await get(t.app, '/v1/registry')).body.sequence, 2);
  await t.app.close();
});
