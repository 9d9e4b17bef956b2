// identity.app's resolve, `GET /api/v1/agents/:id`, finds an agent by its slug, DID or internal id, but its 404 said
// "No agent has this DID or id.", as if a slug were not looked up. It now names all three, as the agents module's
// other lookups do; the code is still NOT_FOUND.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { registerSlug } from '../agents/helpers.ts';
import { repApp } from '../integrators/helpers.ts';

eachEngine('resolve finds an agent by slug, and its 404 names slug, DID and id', async ({ open }) => {
  const t = await repApp(await open());
  const agent = await registerSlug(t.app, 'resolver');
  for (const ref of [agent.slug, agent.did, agent.id]) {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/agents/${encodeURIComponent(ref)}` });
    assert.equal(res.statusCode, 200, `${ref}: ${res.body}`);
    assert.equal((res.json() as { subject: { identifier: string } }).subject.identifier, agent.did);
  }
  for (const ref of ['nobody-here', 'did:identity:nobody', '00000000-0000-4000-8000-000000000000']) {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/agents/${encodeURIComponent(ref)}` });
    assert.equal(res.statusCode, 404, `${ref}: ${res.body}`);
    assert.deepEqual(res.json(), { error: 'No agent has this slug, DID or id.', code: 'NOT_FOUND' });
  }
  await t.app.close();
});
