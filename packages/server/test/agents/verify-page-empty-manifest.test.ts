// An agent may sign a tool manifest that declares no tool (it earns no score, empty-manifest-score). The agent page
// said "No tool manifest." for it, with no hash, while the profile answers its tool_manifest_hash and
// GET /v1/identity/{slug}/tools the signed manifest: the page now says the manifest declares no tools, with its hash.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { bearer, registerSlug, TEST_ENV } from './helpers.ts';

eachEngine(
  "the agent page shows an empty tool manifest as one, with the profile's tool_manifest_hash",
  async ({ open }) => {
    const t = await makeApp(await open(), { env: TEST_ENV });
    try {
      const agent = await registerSlug(t.app, 'no-tools');
      const page = async () => {
        const res = await t.app.inject({ method: 'GET', url: '/verify/no-tools', headers: { accept: 'text/html' } });
        assert.equal(res.statusCode, 200, res.body);
        return res.body;
      };
      assert.ok((await page()).includes('No tool manifest.'), 'before any manifest');

      const set = await t.app.inject({
        method: 'POST',
        url: '/v1/identity/no-tools/tools',
        headers: bearer(agent.managementToken),
        payload: { tools: [] },
      });
      assert.equal(set.statusCode, 200, set.body);
      const hash = (set.json() as { tool_manifest_hash: string }).tool_manifest_hash;
      assert.match(hash, /^[0-9a-f]{64}$/);
      const profile = (await t.app.inject({ method: 'GET', url: '/v1/identity/no-tools' })).json() as {
        tool_manifest_hash: string | null;
      };
      assert.equal(profile.tool_manifest_hash, hash);

      const shown = await page();
      assert.ok(!shown.includes('No tool manifest.'), 'a signed manifest is not "no manifest"');
      assert.ok(shown.includes('id="agent-no-tools"'), 'the page says it declares no tools');
      assert.ok(shown.includes(`Manifest hash <code>${hash}</code>`), 'with its hash');
    } finally {
      await t.app.close();
    }
  },
);
