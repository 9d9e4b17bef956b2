// Anonymous reports are keyed by the client address, and an IPv6 client is its /64: another address of the same
// /64 is the same anonymous reporter, for the once-a-day rule and for the hourly limit.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { getGlobalScore } from '../../src/modules/reputation/service.ts';
import { codeOf, SIG_ENV } from '../signatures/helpers.ts';
import { agents, expectCreated, report } from './helpers.ts';
import type { Receipt } from './helpers.ts';

eachEngine('reports: the addresses of one IPv6 /64 are one anonymous reporter', async ({ open }) => {
  const storage = await open();
  const { app, ctx } = await makeApp(storage, { env: SIG_ENV });
  try {
    const [target] = await agents(app, 1);
    const body = { did: target!.did, reason: 'spam' };

    const first = await expectCreated(await report(app, body, '2001:db8:5:6::1'));
    assert.equal(first.penalty, 2);
    // Another address of the /64, in another spelling and for another reason: a repeat within 24 h.
    const again = await report(app, { ...body, reason: 'malicious' }, '2001:DB8:5:6:dead:beef:0:1');
    assert.equal(again.statusCode, 200, again.body);
    const repeat = again.json() as Receipt;
    assert.deepEqual([repeat.duplicate, repeat.penalty, repeat.reportId], [true, 0, first.reportId]);
    assert.equal(await getGlobalScore(ctx, target!.id), 48, 'one penalty');

    // Another /64 is another reporter.
    const other = await expectCreated(await report(app, body, '2001:db8:5:7::1'));
    assert.equal(other.duplicate, false);
    // IPv4 and its mapped form are one reporter, as before.
    await expectCreated(await report(app, body, '198.51.100.9'));
    const mapped = await report(app, body, '::ffff:198.51.100.9');
    assert.equal(mapped.statusCode, 200, mapped.body);
    assert.equal((mapped.json() as Receipt).duplicate, true);
  } finally {
    await app.close();
  }
});

eachEngine('reports: the hourly anonymous limit counts one IPv6 /64 once', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: SIG_ENV });
  try {
    const targets = await agents(app, 7);
    // Five reports from five addresses of one /64 use up its hour; a sixth address of it is refused.
    for (let i = 0; i < 5; i++) {
      await expectCreated(await report(app, { did: targets[i]!.did, reason: 'spam' }, `2001:db8:9:9::${i + 1}`));
    }
    const refused = await report(app, { did: targets[5]!.did, reason: 'spam' }, '2001:db8:9:9:ffff::6');
    assert.equal(refused.statusCode, 429, refused.body);
    assert.equal(codeOf(refused), 'RATE_LIMITED');
    // Another /64 is not limited by it.
    await expectCreated(await report(app, { did: targets[5]!.did, reason: 'spam' }, '2001:db8:9:a::1'));
  } finally {
    await app.close();
  }
});
