// Gaps found by mutation testing: claiming an agent that was revoked before anyone claimed it. Its claim token is
// still unused, so only the claim's own check stands between it and an owner: the answer is 403 AGENT_REVOKED
// (not a generic conflict), nothing is written, and the token stays unused.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { TEST_ENV, bearer, codeOf, createOwner, registerPow, signedInject } from './helpers.ts';

eachEngine(
  'a revoked, never claimed agent cannot be claimed with its claim token: 403 AGENT_REVOKED',
  async ({ open }) => {
    const storage = await open();
    const { app, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      const owner = await createOwner(app, 'claimer');
      const a = await registerPow(app);
      assert.ok(a.claimToken !== undefined);
      const revoke = await signedInject(
        app,
        a.pair,
        a.did,
        'POST',
        `/api/v1/agents/${a.did}/revoke`,
        undefined,
        clock.now(),
      );
      assert.equal(revoke.statusCode, 200, revoke.body);

      const before = await tableCounts(storage);
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/agents/claim',
        headers: bearer(owner.apiKey),
        payload: { claimToken: a.claimToken },
      });
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(codeOf(res), 'AGENT_REVOKED');
      assert.deepEqual(await tableCounts(storage), before);
      const row = await storage.db.selectFrom('agents').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'revoked');
      assert.equal(row.owner_id, null);
      const token = await storage.db
        .selectFrom('claim_tokens')
        .select('used_at')
        .where('agent_id', '=', a.id)
        .executeTakeFirstOrThrow();
      assert.equal(token.used_at, null, 'the refused claim did not use the token up');
    } finally {
      await app.close();
    }
  },
);
