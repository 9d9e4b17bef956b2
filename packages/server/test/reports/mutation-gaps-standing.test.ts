// Age alone does not make a reporter established: an agent without an owner stays of limited standing however old
// it is, so proof-of-work agents registered long ago still share the 10-point cap on one target. And the reports of
// a revoked reporter, withdrawn, no longer fill that cap.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { getGlobalScore } from '../../src/modules/reputation/service.ts';
import { admin, SIG_ENV } from '../signatures/helpers.ts';
import { agents, DAY, establishedAgents, expectCreated, report, signedReport, WEEK } from './helpers.ts';

eachEngine('unowned reporters registered weeks ago are still of limited standing', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const [target, ...sybils] = await agents(app, 4);
    clock.advance(4 * WEEK + DAY);
    const penalties: number[] = [];
    for (const by of sybils) {
      const res = await report(app, await signedReport(by, target!.did, 'malicious', clock.now()));
      penalties.push((await expectCreated(res)).penalty);
    }
    assert.deepEqual(penalties, [5, 5, 0], 'the limited-standing cap (10 points) holds them');
    assert.equal(await getGlobalScore(ctx, target!.id), 40);
    const rows = await storage.db.selectFrom('reports').select('standing').execute();
    assert.deepEqual(
      rows.map((r) => r.standing),
      ['limited', 'limited', 'limited'],
    );
    // An owned reporter of the same age is established, and not held by that cap.
    const [established] = await establishedAgents(app, clock, 1);
    const signed = await expectCreated(
      await report(app, await signedReport(established!, target!.did, 'spam', clock.now())),
    );
    assert.equal(signed.penalty, 5);
    assert.equal(await getGlobalScore(ctx, target!.id), 35);
  } finally {
    await app.close();
  }
});

eachEngine('withdrawn reports leave the limited-standing cap to the next reporters', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const [target, a, b, c] = await agents(app, 4);
    for (const by of [a!, b!]) {
      const res = await report(app, await signedReport(by, target!.did, 'spam', clock.now()));
      assert.equal((await expectCreated(res)).penalty, 5);
    }
    assert.equal(await getGlobalScore(ctx, target!.id), 40, 'the 10-point cap is full');
    for (const by of [a!, b!]) {
      const rv = await app.inject({
        method: 'POST',
        url: `/api/v1/agents/${by.did}/revoke`,
        headers: admin,
        payload: { reason: 'sybil' },
      });
      assert.equal(rv.statusCode, 200, rv.body);
    }
    assert.equal(await getGlobalScore(ctx, target!.id), 50);
    clock.advance(1000);
    const next = await expectCreated(await report(app, await signedReport(c!, target!.did, 'spam', clock.now())));
    assert.equal(next.penalty, 5, 'the withdrawn penalties no longer count against the cap');
    assert.equal(await getGlobalScore(ctx, target!.id), 45);
  } finally {
    await app.close();
  }
});
