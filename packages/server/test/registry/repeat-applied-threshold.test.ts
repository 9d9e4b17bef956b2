// A repeat of an applied proposal is answered with the quorum it applied with, counted on the registry it applied to
// (the state at its base sequence), not on the registry since: after a threshold change from 2 to 3, the repeat of
// that very proposal, signed by two, still shows `signed by 2/2`, met, not `2/3`, unmet (appliedView's replay up to
// the base sequence; an answer counted on the current registry told the SDK's retry its applied proposal had no
// quorum).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { genesis, makeIssuers, post, proposal } from './fixtures.ts';

eachEngine('a repeated threshold proposal shows the quorum it applied with', async ({ open }) => {
  const app = await makeApp(await open());
  try {
    const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta']);
    const registry = await genesis(app, [is.alpha!, is.bravo!, is.charlie!, is.delta!]);
    const raise = await proposal(
      { registry, baseSequence: 1, action: 'threshold', threshold: { required: 3 } },
      [is.alpha!, is.bravo!],
      app.clock.now(),
    );
    const first = await post(app.app, '/v1/registry/proposals', raise);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.status, 'applied');
    assert.deepEqual(first.body.quorum, {
      met: true,
      valid: 2,
      required: 2,
      signers: ['alpha', 'bravo'],
      text: 'signed by 2/2',
    });

    const again = await post(app.app, '/v1/registry/proposals', raise);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.status, 'applied');
    assert.equal(again.body.appliedSequence, 2);
    assert.deepEqual(again.body.quorum, first.body.quorum);
  } finally {
    await app.app.close();
  }
});
