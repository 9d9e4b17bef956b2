// A slug change or release re-signs the agent's tool manifest (its signed statement names the slug) with the time of
// the change as updated_at. Before, the re-signed manifest kept the updated_at of the last POST, so the manifest
// served (agent_slug, signature) changed while updated_at did not, and a consumer caching by updated_at kept the old
// one. Setting the same slug again changes nothing, updated_at included.
import assert from 'node:assert/strict';
import { verifyToolManifest } from '@vouch/sdk';
import type { ToolManifest, VouchKeys } from '@vouch/sdk';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { bearer, registerSlug, TEST_ENV } from './helpers.ts';

eachEngine('a re-signed tool manifest moves its updated_at', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerSlug(app, 'first-slug');
    const auth = bearer(agent.managementToken);
    const set = await app.inject({
      method: 'POST',
      url: '/v1/identity/first-slug/tools',
      headers: auth,
      payload: { tools: ['read_file'] },
    });
    assert.equal(set.statusCode, 200, set.body);
    const vouchKeys = (await app.inject({ method: 'GET', url: '/.well-known/vouch-keys.json' })).json() as VouchKeys;
    const manifest = async (): Promise<ToolManifest> => {
      const res = await app.inject({ method: 'GET', url: `/v1/identity/${agent.did}/tools` });
      assert.equal(res.statusCode, 200, res.body);
      const m = res.json() as ToolManifest;
      assert.equal((await verifyToolManifest(m, { vouchKeys })).valid, true);
      return m;
    };
    const first = await manifest();
    const slug = (method: 'PUT' | 'DELETE', payload?: object) =>
      app.inject({ method, url: `/api/v1/agents/${agent.did}/slug`, headers: auth, ...(payload ? { payload } : {}) });

    clock.advance(60_000);
    assert.equal((await slug('PUT', { slug: 'second-slug' })).statusCode, 200);
    const renamed = await manifest();
    assert.equal(renamed.agent_slug, 'second-slug');
    assert.equal(renamed.updated_at, new Date(clock.now()).toISOString());
    assert.notEqual(renamed.updated_at, first.updated_at);
    assert.equal(renamed.tool_manifest_hash, first.tool_manifest_hash);

    // The same slug again re-signs nothing.
    clock.advance(60_000);
    assert.equal((await slug('PUT', { slug: 'second-slug' })).statusCode, 200);
    assert.deepEqual(await manifest(), renamed);

    clock.advance(60_000);
    assert.equal((await slug('DELETE')).statusCode, 200);
    const released = await manifest();
    assert.equal(released.agent_slug, null);
    assert.equal(released.updated_at, new Date(clock.now()).toISOString());
  } finally {
    await app.close();
  }
});
