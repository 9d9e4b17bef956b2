// The per-DID signing allowance is spent only by signatures that are recorded for the first time: replaying an
// agent's public signatures (everything needed is in GET /api/v1/signatures/verify) must not lock the agent out.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { countSignatures } from '../../src/modules/signatures/service.ts';
import { codeOf, postSign, recordSigned, registerPow, SIG_ENV, signBody } from './helpers.ts';

const LIMITED = { ...SIG_ENV, VOUCH_SIGN_RATE_MAX: '3' };

eachEngine("sign: replaying an agent's recorded signature does not spend its allowance", async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: LIMITED });
  try {
    const agent = await registerPow(app);
    const noted = await signBody(agent.pair, agent.did, 'press release v1', clock.now(), 'v1');
    const first = await postSign(app, noted);
    assert.equal(first.statusCode, 201, first.body);
    const { signatureHash } = first.json() as { signatureHash: string };

    // An attacker replays the public record, from many addresses (the per-address limit never bites).
    const view = (
      await app.inject({ method: 'GET', url: `/api/v1/signatures/verify?hash=${signatureHash}` })
    ).json() as {
      agent: { did: string };
      payloadHash: string;
      signature: string;
      signedAt: number;
    };
    const replay = {
      did: view.agent.did,
      payloadHash: view.payloadHash,
      signature: view.signature,
      signedAt: view.signedAt,
    };
    const before = await tableCounts(storage);
    for (let i = 0; i < 10; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/signatures/sign',
        payload: { ...replay, publicNote: i % 2 === 0 ? 'v1' : `hostile ${i}` },
        remoteAddress: `10.1.0.${i}`,
      });
      // The same submission answers the record (201); another note is 409; neither counts.
      if (i % 2 === 0) {
        assert.equal(res.statusCode, 201, res.body);
        assert.equal((res.json() as { signatureHash: string }).signatureHash, signatureHash);
      } else {
        assert.equal(codeOf(res), 'SIGNATURE_CONFLICT', res.body);
      }
    }
    assert.deepEqual(await tableCounts(storage), before, 'replays write nothing');

    // The allowance (3) still has two new signatures in it, and only two.
    clock.advance(1000);
    await recordSigned(app, agent, 'press release v2', clock.now());
    await recordSigned(app, agent, 'press release v3', clock.now());
    const fourth = await postSign(app, await signBody(agent.pair, agent.did, 'press release v4', clock.now()));
    assert.equal(fourth.statusCode, 429, fourth.body);
    assert.equal(codeOf(fourth), 'RATE_LIMITED');
    // With the allowance spent, a repeat still answers what it always did: the record.
    const again = await postSign(app, noted);
    assert.equal(again.statusCode, 201, again.body);
    assert.equal((again.json() as { signatureHash: string }).signatureHash, signatureHash);
    assert.equal(await countSignatures(ctx, agent.id), 3);
  } finally {
    await app.close();
  }
});

eachEngine('sign: identical new submissions at once, in two processes, spend the allowance once', async ({ open }) => {
  const one = await makeApp(await open(), { env: LIMITED });
  const storage = await open();
  const two = await makeApp(storage, { env: LIMITED, kek: one.kek, clock: one.clock });
  try {
    const agent = await registerPow(one.app);
    const body = await signBody(agent.pair, agent.did, 'raced', one.clock.now());
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? one.app : two.app).inject({
          method: 'POST',
          url: '/api/v1/signatures/sign',
          payload: body,
          remoteAddress: `10.2.0.${i}`,
        }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.statusCode),
      Array<number>(8).fill(201),
    );
    assert.equal((await tableCounts(storage)).signatures, 1);
    // One of three spent: two more new signatures fit, the next does not.
    await recordSigned(one.app, agent, 'second', one.clock.now());
    await recordSigned(two.app, agent, 'third', one.clock.now());
    const fourth = await postSign(one.app, await signBody(agent.pair, agent.did, 'fourth', one.clock.now()));
    assert.equal(codeOf(fourth), 'RATE_LIMITED', fourth.body);
    assert.equal((await tableCounts(storage)).signatures, 3);
  } finally {
    await one.app.close();
    await two.app.close();
  }
});
