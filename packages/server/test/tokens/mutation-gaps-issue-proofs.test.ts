// Gaps found by mutation testing in the agent's own issuance proof (service.ts issueToken): a used proof must stay
// recorded for as long as its signedAt is still accepted, housekeeping included, or it can be replayed.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { pruneTokenState } from '../../src/modules/tokens/service.ts';
import { post, proofBody, registerAgent, tokenApp } from './helpers.ts';

eachEngine('a used issuance proof cannot be replayed after housekeeping, anywhere in its window', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const body = await proofBody(t, agent, 'identity');
  const signedAt = t.clock.now();
  const first = await post(t, '/api/registry/issue', body);
  assert.equal(first.statusCode, 201, first.body);

  // Past the clock skew (60 s), well inside the signature window (300 s): pruning must keep the used proof.
  for (const at of [signedAt + 120_000, signedAt + 299_000, signedAt + 300_000]) {
    t.clock.set(at);
    await pruneTokenState(t.ctx);
    const replay = await post(t, '/api/registry/issue', body);
    assert.equal(replay.statusCode, 409, `replayed at signedAt + ${(at - signedAt) / 1000} s: ${replay.body}`);
    assert.equal((replay.json() as { code: string }).code, 'PROOF_REPLAYED');
  }
  // Once the window has passed, the proof is refused as stale whatever housekeeping did.
  t.clock.set(signedAt + 300_001 + 60_000);
  await pruneTokenState(t.ctx);
  const late = await post(t, '/api/registry/issue', body);
  assert.equal(late.statusCode, 401, late.body);
  assert.equal((late.json() as { code: string }).code, 'PROOF_STALE');
  await t.app.close();
});

eachEngine(
  'with no clock skew, a used proof stays recorded through the last millisecond it is accepted',
  async ({ open }) => {
    // VOUCH_CLOCK_SKEW=0 keeps records until exactly their end: a proof accepted at signedAt + window must not have
    // been pruned at that same millisecond.
    const t = await tokenApp(await open(), { env: { VOUCH_CLOCK_SKEW: '0' } });
    const agent = await registerAgent(t);
    const body = await proofBody(t, agent, 'identity');
    const signedAt = t.clock.now();
    assert.equal((await post(t, '/api/registry/issue', body)).statusCode, 201);
    t.clock.set(signedAt + 300_000);
    await pruneTokenState(t.ctx);
    const replay = await post(t, '/api/registry/issue', body);
    assert.equal(replay.statusCode, 409, `replayed at the window's last millisecond: ${replay.body}`);
    assert.equal((replay.json() as { code: string }).code, 'PROOF_REPLAYED');
    t.clock.set(signedAt + 300_001);
    await pruneTokenState(t.ctx);
    assert.equal(((await post(t, '/api/registry/issue', body)).json() as { code: string }).code, 'PROOF_STALE');
    await t.app.close();
  },
);
