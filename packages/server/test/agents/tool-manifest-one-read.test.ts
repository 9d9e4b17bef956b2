// GET /v1/identity/{slug}/tools answers the agent (slug, status) and its signed manifest as one read. Before, it read
// the agent, then the manifest in a second query: a slug change committing in between answered the old slug beside a
// manifest re-signed for the new one (a signature that does not verify for the slug answered), and a revocation
// likewise paired a status with a manifest from another moment. The interleaving is forced: the change runs right
// after the route's first read of the agent has answered.
import assert from 'node:assert/strict';
import { verifyToolManifest } from '@vouch/sdk';
import type { ToolManifest, VouchKeys } from '@vouch/sdk';
import { makeApp } from '../helpers/app.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { eachEngine } from '../helpers/storage.ts';
import { bearer, registerSlug, TEST_ENV } from './helpers.ts';

eachEngine('the tool manifest GET answers agent and manifest from one read', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerSlug(app, 'one-read');
    const auth = bearer(agent.managementToken);
    const set = await app.inject({
      method: 'POST',
      url: `/v1/identity/${agent.did}/tools`,
      headers: auth,
      payload: { tools: ['read_file'] },
    });
    assert.equal(set.statusCode, 200, set.body);
    const vouchKeys = (await app.inject({ method: 'GET', url: '/.well-known/vouch-keys.json' })).json() as VouchKeys;
    const get = async (): Promise<ToolManifest> => {
      const res = await app.inject({ method: 'GET', url: `/v1/identity/${agent.did}/tools` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as ToolManifest;
    };
    const before = await get();

    clock.advance(60_000);
    let renamed: number | undefined;
    // Right after the route's read of the agent: the slug changes (the manifest is re-signed for the new slug).
    afterNextPoolQuery(storage.db, /from "agents"/, async () => {
      const res = await app.inject({
        method: 'PUT',
        url: `/api/v1/agents/${agent.did}/slug`,
        headers: auth,
        payload: { slug: 'one-read-renamed' },
      });
      renamed = res.statusCode;
    });
    const during = await get();
    assert.equal(renamed, 200, 'the slug change ran in between');
    // All of it as it stood when read: the old slug with the manifest signed for it, which verifies.
    assert.deepEqual(during, before);
    assert.equal((await verifyToolManifest(during, { vouchKeys })).valid, true);

    const after = await get();
    assert.equal(after.agent_slug, 'one-read-renamed');
    assert.equal((await verifyToolManifest(after, { vouchKeys })).valid, true);
  } finally {
    await app.close();
  }
});
