// The verify cache holds a token's agent standing for AGENT_CACHE_MS of app clock (verify-cache.ts). A clock that
// stepped back must not stretch that: an agent revoked by another process (unannounced, and with no recorded live
// token, so no revocation moves the cache's cursor) is refused once the app clock reads before the cached answer,
// not only once it has passed that answer's time plus the bound again. The token here is one the server has no
// record of (signed with its key, as a leaked key's holder would): the agent's standing is all that refuses it.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { registerAgent, rejected, signedWithServerKey, T0, tokenApp, verify } from './helpers.ts';

eachEngine(
  "after the app clock stepped back, an agent revoked behind the process's back is refused at once",
  async ({ open }) => {
    const storage = await open();
    const t = await tokenApp(storage);
    const agent = await registerAgent(t);
    const token = await signedWithServerKey(t, agent.did, 'unrecorded-token');
    t.clock.set(T0 + 10_000);
    assert.equal((await verify(t, { token })).status, 200, 'the agent standing is now cached');

    // The clock steps back 5 s; meanwhile another process revokes the agent, unannounced to this one.
    t.clock.set(T0 + 5_000);
    const id = agent.did.slice('did:identity:'.length);
    await sql`update agents set status = 'revoked' where id = ${id}`.execute(storage.db);
    await rejected(t, { token }, 'AGENT_REVOKED');
    await t.app.close();
  },
);
