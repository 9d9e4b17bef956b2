// `updatedAt` of a score is the latest time of an event, a penalty or a penalty's withdrawal applied to it
// (docs/reputation.md, "Scores"): revoking a reporter moves its targets' updatedAt to the revocation. Other report
// tests check the withdrawn penalty's points, not the time, so a withdrawal that left updatedAt behind went unnoticed.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { getGlobalScoreDetails } from '../../src/modules/reputation/service.ts';
import { rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { admin, SIG_ENV } from '../signatures/helpers.ts';
import { agents, DAY, expectCreated, report, signedReport } from './helpers.ts';

eachEngine("revoking a reporter moves its target's score updatedAt to the revocation", async ({ open }) => {
  const { app, ctx, clock } = await makeApp(await open(), { env: SIG_ENV });
  try {
    const [target, reporter] = await agents(app, 2);
    const reportedAt = clock.now();
    await expectCreated(await report(app, await signedReport(reporter!, target!.did, 'spam', reportedAt)));
    assert.equal((await getGlobalScoreDetails(ctx, target!.id)).updatedAt, reportedAt);
    clock.advance(DAY);
    const revokedAt = clock.now();
    const rv = await app.inject({
      method: 'POST',
      url: `/api/v1/agents/${reporter!.did}/revoke`,
      headers: admin,
      payload: { reason: 'sybil' },
    });
    assert.equal(rv.statusCode, 200, rv.body);
    const after = await getGlobalScoreDetails(ctx, target!.id);
    assert.equal(after.score, 50);
    assert.equal(after.updatedAt, revokedAt);
    assert.equal((await rebuildReputation(ctx, { dryRun: true })).consistent, true);
  } finally {
    await app.close();
  }
});
