// The agent page lists the agent's declared tools with the manifest's hash, the value a verifier compares with
// tool_manifest_hash. Showing an empty hash there passed every test (mutation: row.manifest_hash replaced by '').
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { bearer, registerSlug, TEST_ENV } from './helpers.ts';

eachEngine("the agent page shows its tool manifest's hash, the profile's tool_manifest_hash", async ({ open }) => {
  const t = await makeApp(await open(), { env: TEST_ENV });
  try {
    const agent = await registerSlug(t.app, 'hash-shown');
    const set = await t.app.inject({
      method: 'POST',
      url: '/v1/identity/hash-shown/tools',
      headers: bearer(agent.managementToken),
      payload: { tools: ['read_file'] },
    });
    assert.equal(set.statusCode, 200, set.body);
    const profile = await t.app.inject({ method: 'GET', url: '/v1/identity/hash-shown' });
    const hash = (profile.json() as { tool_manifest_hash: string }).tool_manifest_hash;
    assert.match(hash, /^[0-9a-f]{64}$/);
    const page = await t.app.inject({ method: 'GET', url: '/verify/hash-shown', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 200, page.body);
    assert.ok(page.body.includes(`Manifest hash <code>${hash}</code>`), 'the hash is shown');
  } finally {
    await t.app.close();
  }
});
