import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';
import { getGlobalScore } from '../../src/modules/reputation/service.ts';
import { admin, codeOf, newPair, recordSigned, registerSlug, SIG_ENV, WINDOW_MS } from '../signatures/helpers.ts';
import { agents, DAY, establishedAgents, expectCreated, HOUR, report, signedReport } from './helpers.ts';
import type { Receipt } from './helpers.ts';

async function reportCount(storage: Storage): Promise<number> {
  return (await tableCounts(storage)).reports!;
}

eachEngine('reports: signed (penalty 5) and anonymous (penalty 2), applied to the global score', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const [target, reporter] = await agents(app, 2);
    const { signatureHash } = await recordSigned(app, target!, 'junk', clock.now());
    assert.equal(await getGlobalScore(ctx, target!.id), 50);

    const signed = await expectCreated(
      await report(
        app,
        await signedReport(reporter!, target!.did, 'spam', clock.now(), {
          signatureHash,
          details: 'Flooding the network\nwith junk signatures',
        }),
      ),
    );
    assert.deepEqual(
      { ...signed, reportId: typeof signed.reportId },
      {
        reportId: 'string',
        did: target!.did,
        reason: 'spam',
        type: 'signed',
        reporterDid: reporter!.did,
        penalty: 5,
        duplicate: false,
        createdAt: clock.now(),
      },
    );
    assert.equal(await getGlobalScore(ctx, target!.id), 45);

    const anonymous = await expectCreated(await report(app, { did: target!.did, reason: 'malicious' }));
    assert.equal(anonymous.type, 'anonymous');
    assert.equal(anonymous.reporterDid, null);
    assert.equal(anonymous.penalty, 2);
    assert.equal(await getGlobalScore(ctx, target!.id), 43);

    // Only some of the three signed-report fields: anonymous, as the seed says.
    const partial = await expectCreated(
      await report(
        app,
        { did: target!.did, reason: 'other', reporterDid: reporter!.did, signedAt: clock.now() },
        '10.0.0.7',
      ),
    );
    assert.equal(partial.type, 'anonymous');
    assert.equal(partial.penalty, 2);
    assert.equal(await getGlobalScore(ctx, target!.id), 41);
    assert.equal(await getGlobalScore(ctx, reporter!.id), 50);
  } finally {
    await app.close();
  }
});

eachEngine(
  'reports: refusals (bad signature never downgraded, self, revoked, unknown) write nothing',
  async ({ open }) => {
    const storage = await open();
    const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
    try {
      const [target, reporter, other, revoked] = await agents(app, 4);
      await app.inject({ method: 'POST', url: `/api/v1/agents/${revoked!.did}/revoke`, headers: admin });
      const { signatureHash: othersSignature } = await recordSigned(app, other!, 'theirs', clock.now());
      const keyless = await registerSlug(app, 'keyless-reporter');
      const now = clock.now();
      const good = await signedReport(reporter!, target!.did, 'spam', now);
      const before = await tableCounts(storage);
      const expect = async (body: unknown, status: number, code: string): Promise<void> => {
        const res = await report(app, body);
        assert.equal(res.statusCode, status, `${code}: ${res.body}`);
        assert.equal(codeOf(res), code);
        assert.deepEqual(await tableCounts(storage), before, `${code}: nothing written`);
      };

      // A signature that does not verify: wrong reason, target or time in the statement; another key; garbage.
      await expect({ ...good, reason: 'malicious' }, 400, 'SIGNATURE_INVALID');
      await expect({ ...good, did: other!.did }, 400, 'SIGNATURE_INVALID');
      await expect({ ...good, signedAt: now - 1 }, 400, 'SIGNATURE_INVALID');
      await expect(
        { ...(await signedReport(other!, target!.did, 'spam', now)), reporterDid: reporter!.did },
        400,
        'SIGNATURE_INVALID',
      );
      await expect(
        { ...(await signedReport({ did: reporter!.did, pair: await newPair() }, target!.did, 'spam', now)) },
        400,
        'SIGNATURE_INVALID',
      );
      await expect({ ...good, signature: 'bm90IGEgc2lnbmF0dXJl' }, 400, 'SIGNATURE_INVALID');
      // Outside the signature window, either way.
      await expect(
        await signedReport(reporter!, target!.did, 'spam', now - WINDOW_MS - 1),
        400,
        'SIGNED_AT_OUT_OF_WINDOW',
      );
      await expect(
        await signedReport(reporter!, target!.did, 'spam', now + WINDOW_MS + 1),
        400,
        'SIGNED_AT_OUT_OF_WINDOW',
      );
      // Self-report, revoked or unknown reporter, unknown target.
      await expect(await signedReport(target!, target!.did, 'spam', now), 400, 'REPORT_SELF');
      await expect(await signedReport(revoked!, target!.did, 'spam', now), 403, 'AGENT_REVOKED');
      // A reporter registered without a key has nothing to check a signature with (a well-formed one).
      await expect({ ...good, reporterDid: keyless.did }, 409, 'AGENT_HAS_NO_KEY');
      await expect({ ...good, reporterDid: 'did:identity:aaaaaaaaaaaaaaaaaaaaaaaaaa' }, 404, 'NOT_FOUND');
      await expect({ did: 'did:identity:aaaaaaaaaaaaaaaaaaaaaaaaaa', reason: 'spam' }, 404, 'NOT_FOUND');
      // signatureHash: unknown, or another agent's signature.
      await expect({ did: target!.did, reason: 'spam', signatureHash: 'c'.repeat(64) }, 404, 'NOT_FOUND');
      await expect({ did: target!.did, reason: 'spam', signatureHash: othersSignature }, 400, 'VALIDATION_FAILED');
      // Validation.
      await expect({ did: target!.did, reason: 'rude' }, 400, 'VALIDATION_FAILED');
      await expect({ did: target!.did }, 400, 'VALIDATION_FAILED');
      await expect({ did: target!.did, reason: 'spam', details: 'd'.repeat(1001) }, 400, 'VALIDATION_FAILED');
      await expect({ did: target!.did, reason: 'spam', details: 'nul\u0000' }, 400, 'VALIDATION_FAILED');
      await expect({ ...good, signedAt: String(now) }, 400, 'VALIDATION_FAILED');
      await expect({ ...good, extra: true }, 400, 'VALIDATION_FAILED');
      assert.equal(await getGlobalScore(ctx, target!.id), 50);

      // The edges of the window and 1000 characters of details are accepted.
      await expectCreated(await report(app, await signedReport(reporter!, target!.did, 'spam', now - WINDOW_MS)));
      await expectCreated(
        await report(
          app,
          await signedReport(reporter!, other!.did, 'other', now + WINDOW_MS, { details: 'd'.repeat(1000) }),
        ),
      );
    } finally {
      await app.close();
    }
  },
);

eachEngine('reports: one reporter and target count once per 24 h, whatever the reason', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const [target] = await agents(app, 1);
    const [reporter, second] = await establishedAgents(app, clock, 2);
    const first = await expectCreated(
      await report(app, await signedReport(reporter!, target!.did, 'spam', clock.now())),
    );
    const before = await tableCounts(storage);

    clock.advance(HOUR);
    const again = await report(app, await signedReport(reporter!, target!.did, 'spam', clock.now()));
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(again.json(), { ...first, penalty: 0, duplicate: true });
    // Another reason is a repeat too: the answer is the report that counted.
    const otherReason = await report(app, await signedReport(reporter!, target!.did, 'impersonation', clock.now()));
    assert.equal(otherReason.statusCode, 200, otherReason.body);
    assert.deepEqual(otherReason.json(), { ...first, penalty: 0, duplicate: true });
    assert.deepEqual(await tableCounts(storage), before, 'a repeat stores nothing');
    assert.equal(await getGlobalScore(ctx, target!.id), 45);

    // Another reporter counts.
    await expectCreated(await report(app, await signedReport(second!, target!.did, 'spam', clock.now())));
    assert.equal(await getGlobalScore(ctx, target!.id), 40);

    // Anonymous: the reporter is the client address.
    await expectCreated(await report(app, { did: target!.did, reason: 'spam' }, '10.0.0.1'));
    const anonAgain = await report(app, { did: target!.did, reason: 'other', details: 'again' }, '10.0.0.1');
    assert.equal(anonAgain.statusCode, 200);
    assert.equal((anonAgain.json() as Receipt).duplicate, true);
    await expectCreated(await report(app, { did: target!.did, reason: 'spam' }, '10.0.0.2'));
    assert.equal(await getGlobalScore(ctx, target!.id), 36);

    // 24 hours after the first report it is stored again; one millisecond earlier it is not. Its penalty is still in
    // force, so the new report carries none.
    clock.set(first.createdAt + DAY - 1);
    const early = await report(app, await signedReport(reporter!, target!.did, 'spam', clock.now()));
    assert.equal((early.json() as Receipt).duplicate, true);
    clock.set(first.createdAt + DAY);
    const later = await expectCreated(
      await report(app, await signedReport(reporter!, target!.did, 'malicious', clock.now())),
    );
    assert.equal(later.duplicate, false);
    assert.equal(later.penalty, 0);
    assert.equal(await getGlobalScore(ctx, target!.id), 36);
  } finally {
    await app.close();
  }
});

eachEngine('reports: at most 5 anonymous reports per hour per client address', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const targets = await agents(app, 7);
    const start = clock.now();
    for (let i = 0; i < 5; i++) {
      await expectCreated(await report(app, { did: targets[i]!.did, reason: 'spam' }, '10.9.9.9'));
      clock.advance(60_000);
    }
    const before = await tableCounts(storage);
    const sixth = await report(app, { did: targets[5]!.did, reason: 'spam' }, '10.9.9.9');
    assert.equal(sixth.statusCode, 429, sixth.body);
    assert.equal(codeOf(sixth), 'RATE_LIMITED');
    // The oldest of the five leaves the hour at start + 1 h: that is when to come back.
    assert.equal(Number(sixth.headers['retry-after']), (start + HOUR - clock.now()) / 1000);
    assert.deepEqual(await tableCounts(storage), before);

    // Another address is not limited; signed reports from the same address are not anonymous.
    await expectCreated(await report(app, { did: targets[5]!.did, reason: 'spam' }, '10.9.9.10'));
    await expectCreated(
      await report(app, await signedReport(targets[6]!, targets[5]!.did, 'spam', clock.now()), '10.9.9.9'),
    );

    clock.set(start + HOUR - 1);
    assert.equal((await report(app, { did: targets[5]!.did, reason: 'other' }, '10.9.9.9')).statusCode, 429);
    clock.set(start + HOUR);
    await expectCreated(await report(app, { did: targets[5]!.did, reason: 'other' }, '10.9.9.9'));
  } finally {
    await app.close();
  }
});

eachEngine(
  'reports: penalties are capped at 20 per target per 24 h; the effective penalty is stored',
  async ({ open }) => {
    const storage = await open();
    const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
    try {
      const [target] = await agents(app, 1);
      const reporters = await establishedAgents(app, clock, 7);
      const start = clock.now();
      const penalties: number[] = [];
      // 3 signed (15) + 2 anonymous (4) = 19; then a signed report has 1 left, and the rest 0.
      for (let i = 0; i < 3; i++) {
        penalties.push(
          (await expectCreated(await report(app, await signedReport(reporters[i]!, target!.did, 'spam', clock.now()))))
            .penalty,
        );
        clock.advance(1000);
      }
      for (const address of ['10.0.0.1', '10.0.0.2']) {
        penalties.push((await expectCreated(await report(app, { did: target!.did, reason: 'spam' }, address))).penalty);
      }
      penalties.push(
        (await expectCreated(await report(app, await signedReport(reporters[3]!, target!.did, 'spam', clock.now()))))
          .penalty,
      );
      penalties.push(
        (await expectCreated(await report(app, await signedReport(reporters[4]!, target!.did, 'spam', clock.now()))))
          .penalty,
      );
      penalties.push(
        (await expectCreated(await report(app, { did: target!.did, reason: 'spam' }, '10.0.0.3'))).penalty,
      );
      assert.deepEqual(penalties, [5, 5, 5, 2, 2, 1, 0, 0]);
      assert.equal(await reportCount(storage), 8, 'capped reports are still stored');
      assert.equal(await getGlobalScore(ctx, target!.id), 30);

      // 24 h after the first report, its 5 points leave the window: 5 points of room.
      clock.set(start + DAY);
      const next = await expectCreated(
        await report(app, await signedReport(reporters[5]!, target!.did, 'spam', clock.now())),
      );
      assert.equal(next.penalty, 5);
      const full = await expectCreated(
        await report(app, await signedReport(reporters[6]!, target!.did, 'other', clock.now())),
      );
      assert.equal(full.penalty, 0);
      assert.equal(await getGlobalScore(ctx, target!.id), 25);
    } finally {
      await app.close();
    }
  },
);

eachEngine('reports: concurrent reports from two processes never exceed the cap', async ({ open }) => {
  const storage = await open();
  const second = await open();
  const one: TestApp = await makeApp(storage, { env: SIG_ENV });
  const two: TestApp = await makeApp(second, { env: SIG_ENV, kek: one.kek, clock: one.clock });
  try {
    const [target] = await agents(one.app, 1);
    const reporters = await establishedAgents(one.app, one.clock, 8);
    const results = await Promise.all(
      reporters.map(async (r, i) =>
        report(i % 2 === 0 ? one.app : two.app, await signedReport(r, target!.did, 'malicious', one.clock.now())),
      ),
    );
    const applied = results.map((r) => (r.json() as Receipt).penalty);
    assert.ok(results.every((r) => r.statusCode === 201));
    assert.equal(
      applied.reduce((a, b) => a + b, 0),
      20,
    );
    assert.equal(await getGlobalScore(one.ctx, target!.id), 30);
  } finally {
    await one.app.close();
    await two.app.close();
  }
});
