// A step is never recorded before the step it follows: on a process whose clock lags the one that applied the last
// step, a proposal applies at that step's appliedAt. A proposal whose expiresAt falls between this process's time
// and that appliedAt can therefore never apply; it is answered as expired, 409 REGISTRY_PROPOSAL_EXPIRED with nothing
// written, as any proposal past its deadline is. It was 400 REGISTRY_STEP_INVALID ("had expired when it was
// applied"), the refusal apply-one-reference-time.test.ts keeps away from proposals that are merely late.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { addEcho, foundersAndEcho, get, post, proposal } from './fixtures.ts';

eachEngine(
  'a proposal expiring before the last step was applied (that process’s clock ahead) is 409 REGISTRY_PROPOSAL_EXPIRED',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const { is, registry } = await foundersAndEcho(app);
      const start = app.clock.now();
      // Step 2 applied at start + 10 s (by a process whose clock is ahead); this one reads start + 1 s.
      app.clock.set(start + 10_000);
      const add = await post(
        app.app,
        '/v1/registry/proposals',
        await addEcho(registry, is, [is.alpha!, is.bravo!], start),
      );
      assert.equal(add.body.status, 'applied', JSON.stringify(add.body));
      app.clock.set(start + 1000);

      const threshold = (expiresAt: number) =>
        proposal(
          {
            registry,
            baseSequence: 2,
            action: 'threshold',
            threshold: { required: 3 },
            expiresAt: new Date(expiresAt),
          },
          [is.alpha!, is.bravo!],
          start,
        );
      const before = await tableCounts(storage);
      const late = await post(app.app, '/v1/registry/proposals', await threshold(start + 5000));
      assert.equal(late.status, 409, JSON.stringify(late.body));
      assert.equal(late.body.code, 'REGISTRY_PROPOSAL_EXPIRED');
      assert.deepEqual(await tableCounts(storage), before, 'nothing written');

      // One expiring after that step applies, at that step's time.
      const inTime = await post(app.app, '/v1/registry/proposals', await threshold(start + 20_000));
      assert.equal(inTime.status, 201, JSON.stringify(inTime.body));
      assert.equal(inTime.body.status, 'applied');
      assert.deepEqual((await get(app.app, '/v1/registry')).body.threshold, { required: 3, total: 4 });
    } finally {
      await app.app.close();
    }
  },
);
