// A domain challenge asked for while the agent is being revoked (in another process): a revocation that committed
// before the challenge's transaction must be seen there (403 AGENT_REVOKED, nothing stored), not only the agent's
// state read before it. The interleaving is forced: the revocation runs, through a second app on a second storage
// of the same database, right after the route checked the caller may manage the agent.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts, twoProcesses } from '../helpers/app.ts';
import { admin, bearer, codeOf, registerSlug, TEST_ENV } from './helpers.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { AGENT_LOOKUP } from './race-helpers.ts';

eachEngine('a domain challenge for an agent revoked meanwhile is refused (AGENT_REVOKED)', async ({ open }) => {
  const { a, b, storage } = await twoProcesses(open, TEST_ENV);
  try {
    const agent = await registerSlug(a.app, 'revoked-meanwhile');
    const before = await tableCounts(storage);
    let revocation: LightMyRequestResponse | undefined;
    // The path names the slug: the route finds the agent by slug, then checks who may manage it by id.
    afterNextPoolQuery(storage.db, AGENT_LOOKUP, async () => {
      revocation = await b.app.inject({
        method: 'POST',
        url: `/api/v1/agents/${agent.did}/revoke`,
        headers: admin,
        payload: {},
      });
    });
    const res = await a.app.inject({
      method: 'GET',
      url: '/v1/identity/revoked-meanwhile/domain-challenge?domain=agent.example.com',
      headers: bearer(agent.managementToken),
    });
    assert.ok(revocation !== undefined, 'the revocation ran in between');
    assert.equal(revocation.statusCode, 200, revocation.body);
    assert.equal(res.statusCode, 403, `a challenge was issued after the revocation: ${res.body}`);
    assert.equal(codeOf(res), 'AGENT_REVOKED');
    assert.equal((await tableCounts(storage)).domain_challenges, before.domain_challenges);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
