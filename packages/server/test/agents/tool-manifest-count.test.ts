// A tool manifest lists at most 500 tools (docs/PROTOCOL.md), and verify-tools checks at most 500 tools used: 500 are
// taken, 501 are a 400 VALIDATION_FAILED that writes nothing and leaves the stored manifest as it was. Before, no test
// sent more than 500, so raising routes-treeship.ts's MAX_TOOLS (500 → 501) went unnoticed.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { bearer, codeOf, registerSlug, TEST_ENV } from './helpers.ts';

const names = (n: number) => Array.from({ length: n }, (_, i) => `tool_${i}`);

eachEngine(
  'a tool manifest of 500 tools is taken, one of 501 is 400; so are 500 and 501 tools used',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: TEST_ENV });
    try {
      const agent = await registerSlug(app, 'many-tools');
      const post = (tools: string[]) =>
        app.inject({
          method: 'POST',
          url: '/v1/identity/many-tools/tools',
          headers: bearer(agent.managementToken),
          payload: { tools },
        });
      const ok = await post(names(500));
      assert.equal(ok.statusCode, 200, ok.body.slice(0, 300));
      const hash = (ok.json() as { tool_manifest_hash: string }).tool_manifest_hash;

      const before = await tableCounts(storage);
      const over = await post(names(501));
      assert.equal(over.statusCode, 400, over.body.slice(0, 300));
      assert.equal(codeOf(over), 'VALIDATION_FAILED');
      assert.deepEqual(await tableCounts(storage), before);
      const kept = await app.inject({ method: 'GET', url: '/v1/identity/many-tools/tools' });
      assert.equal((kept.json() as { tool_manifest_hash: string }).tool_manifest_hash, hash);
      assert.equal((kept.json() as { tools: string[] }).tools.length, 500);

      const verify = (toolsUsed: string[]) =>
        app.inject({ method: 'POST', url: '/v1/identity/many-tools/verify-tools', payload: { tools_used: toolsUsed } });
      const used = await verify(names(500));
      assert.equal(used.statusCode, 200, used.body.slice(0, 300));
      assert.equal((used.json() as { verified: boolean }).verified, true);
      const tooMany = await verify(names(501));
      assert.equal(tooMany.statusCode, 400, tooMany.body.slice(0, 300));
      assert.equal(codeOf(tooMany), 'VALIDATION_FAILED');
    } finally {
      await app.close();
    }
  },
);
