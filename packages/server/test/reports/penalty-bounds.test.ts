// Report penalties are bounded: one reporter holds one penalty on a target at a time, reporters of limited standing
// (anonymous, or agents without an owner or younger than a week) share 10 points per target, penalties expire after
// 30 days, and revoking a reporter withdraws its penalties at once (the rebuild agrees).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { getGlobalScore } from '../../src/modules/reputation/service.ts';
import { rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { admin, claimAgent, createOwner, SIG_ENV } from '../signatures/helpers.ts';
import { agents, DAY, establishedAgents, expectCreated, report, signedReport } from './helpers.ts';
import type { Receipt } from './helpers.ts';

const REASONS = ['spam', 'impersonation', 'malicious', 'other'];
const LIFETIME = 30 * DAY;

eachEngine(
  'a new reporter filing every reason every day holds one penalty; revoking it restores its targets',
  async ({ open }) => {
    const storage = await open();
    const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
    try {
      // One cheap proof-of-work registration, no history, no owner.
      const [victim, bystander, sybil, honest] = await agents(app, 4);
      const answers: Array<[number, number, boolean]> = [];
      for (let day = 0; day < 3; day++) {
        for (const reason of REASONS) {
          const res = await report(app, await signedReport(sybil!, victim!.did, reason, clock.now()));
          const r = res.json() as Receipt;
          answers.push([res.statusCode, r.penalty, r.duplicate]);
        }
        clock.advance(DAY + 1);
      }
      const repeat: [number, number, boolean] = [200, 0, true];
      assert.deepEqual(answers, [
        [201, 5, false], // the one penalty in force
        repeat,
        repeat,
        repeat, // other reasons the same day are repeats
        [201, 0, false], // stored again the next day, with no new penalty while the first is in force
        repeat,
        repeat,
        repeat,
        [201, 0, false],
        repeat,
        repeat,
        repeat,
      ]);
      await expectCreated(await report(app, await signedReport(sybil!, bystander!.did, 'spam', clock.now())));
      assert.equal(await getGlobalScore(ctx, victim!.id), 45);
      assert.equal(await getGlobalScore(ctx, bystander!.id), 45);

      // Sybil clean-up: revoking the reporter withdraws its penalties on every target, in the same request.
      const rv = await app.inject({
        method: 'POST',
        url: `/api/v1/agents/${sybil!.did}/revoke`,
        headers: admin,
        payload: { reason: 'sybil' },
      });
      assert.equal(rv.statusCode, 200, rv.body);
      assert.equal(await getGlobalScore(ctx, victim!.id), 50);
      assert.equal(await getGlobalScore(ctx, bystander!.id), 50);
      // The rebuild replays the withdrawal: the stored rows already equal it.
      assert.equal((await rebuildReputation(ctx, { dryRun: true })).consistent, true);
      // The withdrawn reports no longer fill the caps.
      const next = await expectCreated(
        await report(app, await signedReport(honest!, victim!.did, 'spam', clock.now())),
      );
      assert.equal(next.penalty, 5);
      assert.equal(await getGlobalScore(ctx, victim!.id), 45);
      assert.equal((await rebuildReputation(ctx)).consistent, true);
    } finally {
      await app.close();
    }
  },
);

eachEngine(
  'anonymous reports and new or unowned reporters together hold at most 10 points on a target',
  async ({ open }) => {
    const storage = await open();
    const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
    try {
      const [established] = await establishedAgents(app, clock, 1);
      const [target, fresh, owned] = await agents(app, 3);
      // Owned, but registered just now: not established yet.
      await claimAgent(app, await createOwner(app, 'new-owner'), owned!.claimToken);

      const penalties: number[] = [];
      for (let i = 1; i <= 6; i++) {
        const res = await report(app, { did: target!.did, reason: 'spam' }, `2001:db8:${i}::1`);
        penalties.push((await expectCreated(res)).penalty);
      }
      for (const by of [fresh!, owned!]) {
        const res = await report(app, await signedReport(by, target!.did, 'malicious', clock.now()));
        penalties.push((await expectCreated(res)).penalty);
      }
      assert.deepEqual(penalties, [2, 2, 2, 2, 2, 0, 0, 0]);
      assert.equal(await getGlobalScore(ctx, target!.id), 40);

      // An established reporter is not held by that cap.
      const signed = await expectCreated(
        await report(app, await signedReport(established!, target!.did, 'spam', clock.now())),
      );
      assert.equal(signed.penalty, 5);
      assert.equal(await getGlobalScore(ctx, target!.id), 35);

      // When the limited penalties expire, the cap has room again.
      clock.advance(LIFETIME);
      assert.equal(await getGlobalScore(ctx, target!.id), 50);
      const again = await expectCreated(await report(app, { did: target!.did, reason: 'spam' }, '2001:db8:6::1'));
      assert.equal(again.penalty, 2);
      assert.equal(await getGlobalScore(ctx, target!.id), 48);
    } finally {
      await app.close();
    }
  },
);

eachEngine('a report penalty counts for 30 days, then expires', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const [target] = await agents(app, 1);
    const [reporter] = await establishedAgents(app, clock, 1);
    const first = await expectCreated(
      await report(app, await signedReport(reporter!, target!.did, 'spam', clock.now())),
    );
    assert.equal(first.penalty, 5);
    const resolved = async () =>
      (
        (await app.inject({ method: 'GET', url: `/api/v1/agents/${target!.did}` })).json() as {
          score: { score: number };
        }
      ).score.score;
    assert.equal(await resolved(), 45);

    clock.set(first.createdAt + LIFETIME - 1);
    assert.equal(await getGlobalScore(ctx, target!.id), 45);
    // Still in force: the same reporter's report carries nothing.
    const during = await expectCreated(
      await report(app, await signedReport(reporter!, target!.did, 'spam', clock.now())),
    );
    assert.equal(during.penalty, 0);

    clock.set(first.createdAt + LIFETIME);
    assert.equal(await getGlobalScore(ctx, target!.id), 50);
    assert.equal(await resolved(), 50);
    // Expired: the reporter's next report counts again (a day after its last one).
    clock.set(during.createdAt + DAY);
    const after = await expectCreated(
      await report(app, await signedReport(reporter!, target!.did, 'malicious', clock.now())),
    );
    assert.equal(after.penalty, 5);
    assert.equal(await resolved(), 45);
    // The stored rows are history, not the clock: the rebuild agrees with them.
    assert.equal((await rebuildReputation(ctx, { dryRun: true })).consistent, true);
  } finally {
    await app.close();
  }
});
