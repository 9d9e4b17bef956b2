// A proposal past its expiresAt can never apply: a co-signature, the proposal posted again (with or without new
// co-signatures) and a first post of a proposal already expired are each 409 REGISTRY_PROPOSAL_EXPIRED, a code of its
// own a client can switch on (it was 400 VALIDATION_FAILED, which blamed the request's shape), and nothing is written.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { addEcho, cosignature, foundersAndEcho, get, post } from './fixtures.ts';

function assertExpired(res: { status: number; body: Record<string, unknown> }): void {
  assert.equal(res.status, 409, JSON.stringify(res.body));
  assert.equal(res.body.code, 'REGISTRY_PROPOSAL_EXPIRED');
}

eachEngine('an expired proposal is 409 REGISTRY_PROPOSAL_EXPIRED when co-signed or posted again', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  try {
    const { is, registry } = await foundersAndEcho(app);
    const now = app.clock.now();
    const add = await addEcho(registry, is, [is.alpha!], now);
    const posted = await post(app.app, '/v1/registry/proposals', add);
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    const id = posted.body.id as string;

    app.clock.set(Date.parse(add.expiresAt));
    const before = await tableCounts(storage);
    const held = (await get(app.app, `/v1/registry/proposals/${id}`)).body.proposal;

    // The last co-signature, signed now (inside the signature window): the proposal would apply but has expired.
    assertExpired(
      await post(app.app, `/v1/registry/proposals/${id}/signatures`, cosignature(add, is.bravo!, app.clock.now())),
    );
    // Posted again as held, and posted again with the co-signature that would make the quorum.
    assertExpired(await post(app.app, '/v1/registry/proposals', add));
    const withBravo = await addEcho(registry, is, [is.alpha!, is.bravo!], now, new Date(add.expiresAt));
    assertExpired(await post(app.app, '/v1/registry/proposals', withBravo));

    assert.deepEqual(await tableCounts(storage), before, 'nothing written');
    assert.deepEqual((await get(app.app, `/v1/registry/proposals/${id}`)).body.proposal, held);
    assert.equal((await get(app.app, '/v1/registry')).body.sequence, 1);
    assert.equal((await get(app.app, '/v1/registry/issuers/echo')).status, 404);
  } finally {
    await app.app.close();
  }
});

eachEngine(
  'a proposal first posted after its expiresAt is 409 REGISTRY_PROPOSAL_EXPIRED, not stored',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const { is, registry } = await foundersAndEcho(app);
      const now = app.clock.now();
      // Made with quorum, so only its expiry stands between it and the registry.
      const add = await addEcho(registry, is, [is.alpha!, is.bravo!], now, new Date(now + 60_000));
      app.clock.set(now + 60_000);
      const before = await tableCounts(storage);
      assertExpired(await post(app.app, '/v1/registry/proposals', add));
      assert.deepEqual(await tableCounts(storage), before, 'nothing written');
      assert.deepEqual((await get(app.app, '/v1/registry/proposals')).body.proposals, []);
      assert.equal((await get(app.app, '/v1/registry')).body.sequence, 1);

      // One millisecond earlier the same proposal applies: the refusal is its expiry, not its shape.
      app.clock.set(now + 59_999);
      const applied = await post(app.app, '/v1/registry/proposals', add);
      assert.equal(applied.status, 201, JSON.stringify(applied.body));
      assert.equal(applied.body.status, 'applied');
    } finally {
      await app.app.close();
    }
  },
);
