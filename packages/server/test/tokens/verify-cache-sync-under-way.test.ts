// The verify cache (verify-cache.ts) reads the revocation list once for every verification that finds it stale: a
// verification that arrives while a read is under way waits for that read. A revocation made by this process can
// commit after that read has queried the list (its rows do not hold it) and before the waiting verification started:
// the waiter must read the list once more, or it answers valid for a token revoked before it was presented. No test
// held that second read: #fresh returning as soon as the read under way ended passed every test.
import assert from 'node:assert/strict';
import { REVOCATION_SYNC_MS, verifyCacheOf } from '../../src/modules/tokens/verify-cache.ts';
import { verifyToken } from '../../src/modules/tokens/service.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, issue, post, registerAgent, tokenApp, verify } from './helpers.ts';

eachEngine(
  'a token revoked here while a read of the revocation list is under way is refused by a verification that waits on it',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const target = await issue(t, agent);
    const control = await issue(t, agent);
    // Both verified once: the list is read, their signatures and the agent are cached.
    assert.equal((await verify(t, { token: target.token })).status, 200);
    assert.equal((await verify(t, { token: control.token })).status, 200);
    t.clock.advance(REVOCATION_SYNC_MS);

    // Says when the waiting verification asks the cache about its token: from then on it waits for the read under way.
    const cache = verifyCacheOf(t.ctx);
    const isRevoked = cache.isRevoked.bind(cache);
    let asked!: (asking: { answer: boolean | Promise<boolean> }) => void;
    const reached = new Promise<{ answer: boolean | Promise<boolean> }>((resolve) => (asked = resolve));
    cache.isRevoked = (jti) => {
      const answer = isRevoked(jti);
      if (jti === target.jti) asked({ answer });
      return answer;
    };
    let waiting: Promise<string> | undefined;
    afterNextPoolQuery(t.ctx.storage.db, /from "token_revocations" where "seq" >/, async () => {
      // The read under way has its rows; the revocation commits only now.
      const res = await post(t, '/api/registry/revoke', { jti: target.jti }, ADMIN);
      assert.equal(res.statusCode, 200, res.body);
      waiting = verifyToken(t.ctx, target.token).then(
        () => 'valid',
        (err: { code?: string }) => String(err.code),
      );
      const { answer } = await reached;
      assert.notEqual(typeof answer, 'boolean', 'the cache is stale: the verification waits for a read');
    });
    // This verification finds the cache stale and starts the read.
    assert.equal((await verify(t, { token: control.token })).status, 200);
    assert.ok(waiting !== undefined, 'the read of the list was reached');
    assert.equal(await waiting, 'TOKEN_REVOKED');
    await t.app.close();
  },
);
