// GET /v1/identity/{slug}/tools answers the agent's status beside its signed manifest: `agent_status` and
// `revoked_at`, and for a revoked agent `code: "AGENT_REVOKED"` with `error`, as verify-tools answers it. Before, a
// revoked agent's manifest was served exactly as a live one's, so a consumer reading the manifest (and checking its
// signature, which still verifies) took the tools as those of an agent in good standing.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { admin, bearer, registerSlug, TEST_ENV } from './helpers.ts';

eachEngine("a revoked agent's tool manifest is served with its status", async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerSlug(app, 'tools-agent');
    const set = await app.inject({
      method: 'POST',
      url: '/v1/identity/tools-agent/tools',
      headers: bearer(agent.managementToken),
      payload: { tools: ['read_file'] },
    });
    assert.equal(set.statusCode, 200, set.body);
    const signed = set.json() as Record<string, unknown>;
    assert.equal(signed.agent_status, 'unclaimed');
    assert.equal(signed.revoked_at, null);
    const live = await app.inject({ method: 'GET', url: '/v1/identity/tools-agent/tools' });
    assert.deepEqual(live.json(), signed);
    assert.equal('code' in signed, false);

    clock.advance(1000);
    const revoke = await app.inject({ method: 'POST', url: '/api/v1/agents/tools-agent/revoke', headers: admin });
    assert.equal(revoke.statusCode, 200, revoke.body);
    const revokedAt = new Date((revoke.json() as { revokedAt: number }).revokedAt).toISOString();

    const res = await app.inject({ method: 'GET', url: '/v1/identity/tools-agent/tools' });
    assert.equal(res.statusCode, 200, res.body);
    // The signed manifest is unchanged (what the server signed stays verifiable); the status is beside it.
    assert.deepEqual(res.json(), {
      ...signed,
      agent_status: 'revoked',
      revoked_at: revokedAt,
      code: 'AGENT_REVOKED',
      error: 'This agent has been revoked.',
    });
  } finally {
    await app.close();
  }
});
