// A slug changed by an instance of the previous version still running during a rollout (it writes `agents.slug` and
// `agents.slug_skeleton`, and no `slug_skeletons` rows): the agent's rows still hold its previous slug's readings and
// none of its new slug's. operations.md says the new slug is unprotected, and the previous one still reads as held,
// until the agent sets a slug through a newer instance; setting the slug it has (a PUT of the same slug, the obvious
// repair) must then make its rows its slug's readings: the previous slug's free again, the new one's held.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { bearer, codeOf, registerSlug, TEST_ENV } from './helpers.ts';
import { slugSkeleton } from '../../src/modules/agents/slug-skeleton.ts';

const ENV = { ...TEST_ENV, VOUCH_SLUG_REGISTER_RATE_MAX: '100000' };

eachEngine('a PUT of the slug an older instance gave the agent makes its readings that slug’s', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: ENV });
  try {
    const agent = await registerSlug(app, 'old-name');
    // What a server of migration 0018 writes for a slug change: the slug and its one skeleton, no readings.
    await storage.db
      .updateTable('agents')
      .set({ slug: 'm1ke', slug_skeleton: slugSkeleton('m1ke') })
      .where('id', '=', agent.id)
      .execute();
    const register = (slug: string) => app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug } });

    const put = await app.inject({
      method: 'PUT',
      url: `/api/v1/agents/${agent.did}/slug`,
      headers: bearer(agent.managementToken),
      payload: { slug: 'm1ke' },
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), { did: agent.did, slug: 'm1ke', public_url: put.json().public_url });

    const rows = await storage.db
      .selectFrom('slug_skeletons')
      .select(['skeleton', 'held'])
      .where('agent_id', '=', agent.id)
      .orderBy('skeleton')
      .execute();
    assert.deepEqual(rows, [
      { skeleton: 'mike', held: 1 },
      { skeleton: 'mlke', held: 1 },
    ]);
    // Its slug is protected now, both readings of it.
    for (const slug of ['mike', 'mlke', 'm-1ke']) assert.equal(codeOf(await register(slug)), 'SLUG_CONFUSABLE', slug);
    // The slug it no longer has is anyone's again.
    assert.equal((await register('old-name')).statusCode, 201);
  } finally {
    await app.close();
  }
});

eachEngine('the repair keeps the agent’s slug beside a look-alike another agent holds', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: ENV });
  try {
    const holder = await registerSlug(app, 'mike');
    const agent = await registerSlug(app, 'old-name');
    // The older instance let it take a look-alike (it read `1` as `l` only).
    await storage.db
      .updateTable('agents')
      .set({ slug: 'm1ke', slug_skeleton: slugSkeleton('m1ke') })
      .where('id', '=', agent.id)
      .execute();
    const put = await app.inject({
      method: 'PUT',
      url: `/api/v1/agents/${agent.did}/slug`,
      headers: bearer(agent.managementToken),
      payload: { slug: 'm1ke' },
    });
    assert.equal(put.statusCode, 200, put.body);
    const rows = await storage.db
      .selectFrom('slug_skeletons')
      .select(['agent_id', 'skeleton', 'held'])
      .where('skeleton', 'in', ['mike', 'mlke'])
      .where('held', '=', 1)
      .orderBy('skeleton')
      .execute();
    // `mike` stays its holder's; `mlke`, which no one held, is the agent's.
    assert.deepEqual(rows, [
      { agent_id: holder.id, skeleton: 'mike', held: 1 },
      { agent_id: agent.id, skeleton: 'mlke', held: 1 },
    ]);
    // When the holder lets `mike` go, the agent is handed it, as a look-alike kept from before refusal is.
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/agents/${holder.did}/slug`,
      headers: bearer(holder.managementToken),
    });
    assert.equal(del.statusCode, 200, del.body);
    const register = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug: 'mi-ke' } });
    assert.equal(codeOf(register), 'SLUG_CONFUSABLE');
  } finally {
    await app.close();
  }
});
