// Review: `DELETE /api/v1/agents/:id/slug` of an agent that holds no slug releases nothing (`released: null`, no
// audit entry), yet it moved the profile's `updated_at`, which says when its slug (or anything else the profile
// shows) last changed: a consumer comparing `updated_at` refetched a profile in which nothing had changed.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, registerPow, TEST_ENV } from './helpers.ts';

eachEngine("releasing the slug of an agent that has none leaves its profile's updated_at", async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerPow(app);
    const profile = async (): Promise<{ slug: string | null; updated_at: string }> => {
      const res = await app.inject({ method: 'GET', url: `/v1/identity/${agent.did}` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { slug: string | null; updated_at: string };
    };
    const before = await profile();
    assert.equal(before.slug, null);

    clock.advance(60_000);
    const res = await app.inject({ method: 'DELETE', url: `/api/v1/agents/${agent.did}/slug`, headers: admin });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as { released: string | null }).released, null);
    assert.equal((await profile()).updated_at, before.updated_at, 'nothing was released: updated_at stays');

    // A slug taken and then released does move it, each time.
    clock.advance(60_000);
    const put = await app.inject({
      method: 'PUT',
      url: `/api/v1/agents/${agent.did}/slug`,
      headers: admin,
      payload: { slug: 'my-agent' },
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal((await profile()).updated_at, new Date(clock.now()).toISOString());
    clock.advance(60_000);
    const del = await app.inject({ method: 'DELETE', url: `/api/v1/agents/${agent.did}/slug`, headers: admin });
    assert.equal((del.json() as { released: string | null }).released, 'my-agent');
    const released = await profile();
    assert.equal(released.slug, null);
    assert.equal(released.updated_at, new Date(clock.now()).toISOString());

    // And releasing again, with nothing left to release, leaves it.
    clock.advance(60_000);
    await app.inject({ method: 'DELETE', url: `/api/v1/agents/${agent.did}/slug`, headers: admin });
    assert.equal((await profile()).updated_at, released.updated_at);
  } finally {
    await app.close();
  }
});
