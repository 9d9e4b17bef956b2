// A proposal is judged at one instant: the time read once the registry lock is held decides whether it has expired,
// and the step applies at that same time. Before, the apply read the clock again, so a last co-signature (or a post
// with quorum) accepted as in time could find the proposal expired a moment later, answered 400
// REGISTRY_STEP_INVALID ("had expired when it was applied") for a proposal this same request had found unexpired.
// Here the clock moves 1 ms at every read: for a deadline d ms away, each request answers either as expired (409
// REGISTRY_PROPOSAL_EXPIRED, nothing written) or applied, never the in-between refusal.
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0, tableCounts } from '../helpers/app.ts';
import { cosignature, foundersAndEcho, get, post, proposal, unsigned } from './fixtures.ts';

/** A clock that, while `moving`, goes 1 ms forward after every read. */
class MovingClock extends ManualClock {
  moving = false;
  override now(): number {
    const t = super.now();
    if (this.moving) this.advance(1);
    return t;
  }
}

for (const how of ['last co-signature', 'post with quorum'] as const) {
  eachEngine(`a proposal expiring during its ${how} either applies or is expired`, async ({ open }) => {
    const storage = await open();
    const clock = new MovingClock(T0);
    const app = await makeApp(storage, { clock });
    try {
      const { is, registry } = await foundersAndEcho(app);
      const start = clock.now();
      const answers: string[] = [];
      for (let d = 1; d <= 60; d++) {
        // Proposals for the same step, each with its own deadline (so its own id), made while the clock stands still.
        clock.moving = false;
        clock.set(start + d * 1000);
        const expiresAt = new Date(clock.now() + d);
        const input = { registry, baseSequence: 1, action: 'add' as const, entry: unsigned(is.echo!.entry), expiresAt };
        let res;
        if (how === 'last co-signature') {
          const add = await proposal(input, [is.alpha!], clock.now());
          const posted = await post(app.app, '/v1/registry/proposals', add);
          assert.equal(posted.status, 201, JSON.stringify(posted.body));
          const sig = cosignature(add, is.bravo!, clock.now());
          const before = await tableCounts(storage);
          clock.moving = true;
          res = await post(app.app, `/v1/registry/proposals/${posted.body.id as string}/signatures`, sig);
          clock.moving = false;
          if (res.status !== 200) assert.deepEqual(await tableCounts(storage), before, 'nothing written');
        } else {
          const add = await proposal(input, [is.alpha!, is.bravo!], clock.now());
          const before = await tableCounts(storage);
          clock.moving = true;
          res = await post(app.app, '/v1/registry/proposals', add);
          clock.moving = false;
          if (res.status !== 201) assert.deepEqual(await tableCounts(storage), before, 'nothing written');
        }
        answers.push(`${d}: ${res.status} ${res.body.code ?? res.body.status}`);
        if (res.body.status === 'applied') break;
        assert.equal(res.body.code, 'REGISTRY_PROPOSAL_EXPIRED', answers.join('\n'));
        assert.equal(res.status, 409);
      }
      assert.match(answers.at(-1)!, /applied$/, answers.join('\n'));
      const reg = await get(app.app, '/v1/registry');
      assert.equal(reg.body.sequence, 2);
      // The step's appliedAt is before the proposal's deadline, and the served document verifies.
      const doc = (await app.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' })).json() as {
        governance: Array<{ appliedAt: string; proposal?: { expiresAt: string } }>;
      };
      const step = doc.governance[1]!;
      assert.ok(Date.parse(step.appliedAt) < Date.parse(step.proposal!.expiresAt));
    } finally {
      await app.app.close();
    }
  });
}
