// A revoked agent's identity score is 0, wherever the score is served: the profile, the agent page and the service's
// getIdentityScore. Before, each answered the score of the proofs the agent had gathered, as if nothing had happened,
// so a relying party reading the score alone took a revoked identity for a well-proven one. The breakdown still lists
// every proof with its points, each earning 0, and the status says why.
import assert from 'node:assert/strict';
import { getIdentityScore, resolveAgent } from '../../src/modules/agents/service.ts';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { admin, bearer, registerSlug, TEST_ENV } from './helpers.ts';

interface Profile {
  status: string;
  identity_score: number;
  identity_score_breakdown: Array<{ proof: string; points: number; earned: number }>;
  revoked_at: string | null;
}

eachEngine('a revoked agent scores 0 in its profile, its page and the service', async ({ open }) => {
  const storage = await open();
  const { app, ctx } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerSlug(app, 'scored-agent', { code_hash: 'ab'.repeat(32), model_id: 'gpt-test' });
    const tools = await app.inject({
      method: 'POST',
      url: '/v1/identity/scored-agent/tools',
      headers: bearer(agent.managementToken),
      payload: { tools: ['read_file'] },
    });
    assert.equal(tools.statusCode, 200, tools.body);
    const live = (await app.inject({ method: 'GET', url: '/v1/identity/scored-agent' })).json() as Profile;
    assert.equal(live.identity_score, 45);
    assert.equal(live.status, 'unclaimed');

    const revoke = await app.inject({ method: 'POST', url: '/api/v1/agents/scored-agent/revoke', headers: admin });
    assert.equal(revoke.statusCode, 200, revoke.body);

    const res = await app.inject({ method: 'GET', url: '/v1/identity/scored-agent' });
    assert.equal(res.statusCode, 200, res.body);
    const profile = res.json() as Profile;
    assert.equal(profile.status, 'revoked');
    assert.notEqual(profile.revoked_at, null);
    assert.equal(profile.identity_score, 0);
    // Every line is still listed, with its points, and earns nothing: the lines add up to the score.
    assert.deepEqual(
      profile.identity_score_breakdown.map((l) => [l.proof, l.points, l.earned]),
      live.identity_score_breakdown.map((l) => [l.proof, l.points, 0]),
    );

    const page = await app.inject({ method: 'GET', url: '/verify/scored-agent' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /id="agent-score">0<span/);
    assert.match(page.body, /id="agent-score-revoked"[^>]*>[^<]*revoked/);
    assert.doesNotMatch(page.body, /<td class="n">(?!0<)\d+<\/td>/, 'no breakdown line earns points');

    const score = await getIdentityScore(ctx, await resolveAgent(ctx, 'scored-agent'));
    assert.equal(score.score, 0);
    assert.equal(score.revoked, true);
  } finally {
    await app.close();
  }
});
