// An agent revoked in this process is refused by the next verification after the revocation commits, also when it had
// no recorded live token (no revocation moves the verify cache's cursor: verify-cache.ts, local-revocations.ts), and
// also when a verification read the agent while the revocation's transaction was still open (PostgreSQL: another
// connection reads the agent as active): that read must not be cached as current once the revocation commits. The
// change feed is silent here, as while the listener reconnects: this process's own revocation must not need it.
import assert from 'node:assert/strict';
import { NO_CHANGES } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { pausingAfterUpdate } from '../helpers/interleave.ts';
import { registerAgent, rejected, revokeAgent, signedWithServerKey, tokenApp, verify } from './helpers.ts';

eachEngine('an agent read while its revocation was in flight is not served as active after it', async (ctx) => {
  if (ctx.engine !== 'postgres') {
    // SQLite runs one transaction at a time on the process's one connection: no read lands inside the revocation.
    return;
  }
  const storage = await ctx.open();
  let during: number | undefined;
  const app: { t?: Awaited<ReturnType<typeof tokenApp>> } = {};
  let token = '';
  // Inside the agent's revocation, once it has noted itself (revokeTokensOfAgent takes the revocation counter's lock
  // after that): a verification reads the agent, uncommitted revocation unseen.
  const paused = pausingAfterUpdate(
    storage,
    async () => {
      during = (await verify(app.t!, { token })).status;
    },
    'token_revocation_seq',
  );
  const t = (app.t = await tokenApp({ ...paused, changes: NO_CHANGES }));
  try {
    const agent = await registerAgent(t);
    token = await signedWithServerKey(t, agent.did, 'unrecorded-token');
    await revokeAgent(t, agent.did);
    assert.equal(during, 200, 'read before the revocation committed');
    await rejected(t, { token }, 'AGENT_REVOKED');
  } finally {
    await t.app.close();
  }
});
