// Gaps found by mutation testing in the authority's proposal states (registry/store.ts settleProposals): applying a
// proposal makes every other pending proposal made for the same sequence stale, shown as such and refused, so no
// issuer is asked to co-sign a proposal that can never apply.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { addEcho, cosignature, foundersAndEcho, genesis, get, makeIssuers, post, proposal } from './fixtures.ts';

/**
 * Two proposals for sequence 1 posted and pending: `add` (echo in, signed by alpha) and `rm` (delta out, signed by
 * bravo); charlie's co-signature applies `add` and leaves `rm` stale.
 */
async function siblingProposals(app: TestApp) {
  const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
  const registry = await genesis(app, [is.alpha!, is.bravo!, is.charlie!, is.delta!]);
  const now = app.clock.now();
  const add = await addEcho(registry, is, [is.alpha!], now);
  const rm = await proposal(
    { registry, baseSequence: 1, action: 'remove', subject: 'delta', reason: 'x' },
    [is.bravo!],
    now,
  );
  const addId = (await post(app.app, '/v1/registry/proposals', add)).body.id as string;
  const rmId = (await post(app.app, '/v1/registry/proposals', rm)).body.id as string;
  return { is, now, add, rm, addId, rmId };
}

eachEngine('applying a proposal marks its siblings on the same sequence stale', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  const { is, now, add, rm, addId, rmId } = await siblingProposals(app);
  assert.equal((await get(app.app, `/v1/registry/proposals/${rmId}`)).body.status, 'pending');

  const applied = await post(app.app, `/v1/registry/proposals/${addId}/signatures`, cosignature(add, is.charlie!, now));
  assert.equal(applied.body.status, 'applied', JSON.stringify(applied.body));

  const sibling = await get(app.app, `/v1/registry/proposals/${rmId}`);
  assert.equal(sibling.body.status, 'stale');
  assert.equal(sibling.body.appliedSequence, null);
  const pending = await get(app.app, '/v1/registry/proposals?status=pending');
  assert.deepEqual(pending.body.proposals, []);
  const stale = await get(app.app, '/v1/registry/proposals?status=stale');
  assert.deepEqual(
    (stale.body.proposals as Array<{ id: string }>).map((p) => p.id),
    [rmId],
  );
  const late = await post(app.app, `/v1/registry/proposals/${rmId}/signatures`, cosignature(rm, is.charlie!, now));
  assert.equal(late.status, 409);
  assert.equal(late.body.code, 'REGISTRY_PROPOSAL_STALE');
  assert.equal((await get(app.app, '/v1/registry/issuers/delta')).body.status, 'active');
  await app.app.close();
});

eachEngine('a pending proposal past its expiresAt is listed and shown as expired, not pending', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  try {
    const { is, registry } = await foundersAndEcho(app);
    const now = app.clock.now();
    const add = await addEcho(registry, is, [is.alpha!], now);
    const posted = await post(app.app, '/v1/registry/proposals', add);
    assert.equal(posted.body.status, 'pending', JSON.stringify(posted.body));
    const id = posted.body.id as string;
    const ids = async (status: string) =>
      ((await get(app.app, `/v1/registry/proposals?status=${status}`)).body.proposals as Array<{ id: string }>).map(
        (p) => p.id,
      );
    assert.deepEqual(await ids('pending'), [id]);
    assert.deepEqual(await ids('expired'), []);

    // One millisecond before its expiry it can still apply; at its expiry it never will.
    app.clock.set(Date.parse(add.expiresAt) - 1);
    assert.equal((await get(app.app, `/v1/registry/proposals/${id}`)).body.status, 'pending');
    app.clock.set(Date.parse(add.expiresAt));
    assert.equal((await get(app.app, `/v1/registry/proposals/${id}`)).body.status, 'expired');
    assert.deepEqual(await ids('pending'), []);
    assert.deepEqual(await ids('expired'), [id]);
    const all = (await get(app.app, '/v1/registry/proposals')).body.proposals as Array<{ id: string; status: string }>;
    assert.deepEqual(
      all.map((p) => [p.id, p.status]),
      [[id, 'expired']],
    );
    const late = await post(app.app, `/v1/registry/proposals/${id}/signatures`, cosignature(add, is.bravo!, now));
    assert.equal(late.status, 409, JSON.stringify(late.body));
    assert.equal(late.body.code, 'REGISTRY_PROPOSAL_EXPIRED');
    assert.equal((await get(app.app, '/v1/registry/issuers/echo')).status, 404);
  } finally {
    await app.app.close();
  }
});

eachEngine(
  'past its expiresAt, an applied or stale proposal keeps its status; only pending ones expire',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const { is, now, add, rm, addId, rmId } = await siblingProposals(app);
      const signed = await post(
        app.app,
        `/v1/registry/proposals/${addId}/signatures`,
        cosignature(add, is.charlie!, now),
      );
      assert.equal(signed.body.status, 'applied', JSON.stringify(signed.body));

      app.clock.set(Math.max(Date.parse(add.expiresAt), Date.parse(rm.expiresAt)));
      assert.equal((await get(app.app, `/v1/registry/proposals/${addId}`)).body.status, 'applied');
      assert.equal((await get(app.app, `/v1/registry/proposals/${rmId}`)).body.status, 'stale');
      const listed = async (query: string) =>
        ((await get(app.app, `/v1/registry/proposals${query}`)).body.proposals as Array<{ id: string; status: string }>)
          .map((p) => [p.id, p.status])
          .sort();
      assert.deepEqual(
        await listed(''),
        [
          [addId, 'applied'],
          [rmId, 'stale'],
        ].sort(),
      );
      assert.deepEqual(await listed('?status=applied'), [[addId, 'applied']]);
      assert.deepEqual(await listed('?status=stale'), [[rmId, 'stale']]);
      assert.deepEqual(await listed('?status=expired'), []);
      assert.deepEqual(await listed('?status=pending'), []);
    } finally {
      await app.app.close();
    }
  },
);
