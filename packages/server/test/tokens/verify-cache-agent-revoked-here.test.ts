// The verify cache holds a token's agent standing for AGENT_CACHE_MS (verify-cache.ts). An agent revoked in this
// process is refused by the very next verification, also when the agent had no recorded live token, so that no
// revocation moved the cache's cursor: the local agent epoch (local-revocations.ts) forgets the cached standing. The
// token here is one the server has no record of (signed with its key, as a leaked key's holder would): the agent's
// standing is all that refuses it.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { registerAgent, rejected, revokeAgent, signedWithServerKey, tokenApp, verify } from './helpers.ts';

eachEngine('an agent revoked here is refused at once, though it had no recorded token to revoke', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const token = await signedWithServerKey(t, agent.did, 'unrecorded-token');
  assert.equal((await verify(t, { token })).status, 200, 'the agent standing is now cached');
  await revokeAgent(t, agent.did);
  await rejected(t, { token }, 'AGENT_REVOKED');
  await t.app.close();
});
