// Review: a tool manifest that declares no tool proves nothing, so it earns none of the "Tool manifest registered"
// 15 points. The rule holds wherever the score is computed: the profile (score and breakdown), the agent page and
// the module's getIdentityScore.
import assert from 'node:assert/strict';
import { getIdentityScore, resolveAgent } from '../../src/modules/agents/service.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { bearer, newPair, registerSlug, TEST_ENV } from './helpers.ts';

eachEngine('an empty tool manifest earns no score; one with a tool earns 15', async ({ open }) => {
  const { app, ctx } = await makeApp(await open(), { env: TEST_ENV });
  try {
    const pair = await newPair();
    const agent = await registerSlug(app, 'empty-tools', { public_key_pem: pair.publicPem });
    const setTools = async (tools: string[]) => {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/identity/empty-tools/tools',
        headers: bearer(agent.managementToken),
        payload: { tools },
      });
      assert.equal(res.statusCode, 200, res.body);
    };
    const scores = async () => {
      const profile = (await app.inject({ method: 'GET', url: '/v1/identity/empty-tools' })).json() as {
        identity_score: number;
        identity_score_breakdown: Array<{ proof: string; earned: number }>;
        tools: string[];
      };
      const page = await app.inject({ method: 'GET', url: '/verify/empty-tools' });
      assert.equal(page.statusCode, 200);
      const shown = /id="agent-score">(\d+)</.exec(page.body)?.[1];
      return {
        profile: profile.identity_score,
        toolPoints: profile.identity_score_breakdown.find((l) => l.proof === 'toolManifest')!.earned,
        page: Number(shown),
        service: (await getIdentityScore(ctx, await resolveAgent(ctx, 'empty-tools'))).score,
        tools: profile.tools,
      };
    };

    assert.deepEqual(await scores(), { profile: 30, toolPoints: 0, page: 30, service: 30, tools: [] });
    await setTools([]);
    assert.deepEqual(
      await scores(),
      { profile: 30, toolPoints: 0, page: 30, service: 30, tools: [] },
      'an empty manifest (registration 10 + key 20) earns nothing',
    );
    await setTools(['read_file']);
    assert.deepEqual(await scores(), { profile: 45, toolPoints: 15, page: 45, service: 45, tools: ['read_file'] });
    await setTools([]);
    assert.deepEqual(
      await scores(),
      { profile: 30, toolPoints: 0, page: 30, service: 30, tools: [] },
      'emptying the manifest takes the 15 points back',
    );
  } finally {
    await app.close();
  }
});
