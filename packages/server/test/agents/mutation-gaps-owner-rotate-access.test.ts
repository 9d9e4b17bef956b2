// Gaps found by mutation testing in the access policy of POST /api/v1/owners/:id/rotate-key: only the owner itself or
// the admin replaces an owner's API keys. An agent's credentials (its management token, its signature, even for an
// agent the owner owns) and an integrator's key are not an owner: 401, the owner's key keeps working, and nothing
// is written (no new key, no `owner.rotate_key` audit entry).
import assert from 'node:assert/strict';
import { listAudit } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { createIntegrator } from '../integrators/helpers.ts';
import {
  admin,
  bearer,
  claimAgent,
  createOwner,
  registerPow,
  registerSlug,
  signedHeaders,
  TEST_ENV,
} from './helpers.ts';

eachEngine(
  'only the owner or the admin rotates an owner key; agent and integrator credentials are 401',
  async ({ open }) => {
    const storage = await open();
    const t = await makeApp(storage, { env: TEST_ENV });
    const { app, clock } = t;
    try {
      const owner = await createOwner(app, 'acme');
      const other = await createOwner(app, 'globex');
      const owned = await registerPow(app); // the owner's own agent, by its key
      await claimAgent(app, owner, owned.claimToken);
      const slugAgent = await registerSlug(app, 'ops-bot'); // an agent with a management token
      const integratorKey = await createIntegrator(t, 'shop', [
        { metricKey: 'sale', polarity: 'boost', weight: 1, lane: 'conduct' },
      ]);
      const now = clock.now();

      const rotate = (id: string, headers: Record<string, string>) =>
        app.inject({ method: 'POST', url: `/api/v1/owners/${id}/rotate-key`, headers });
      const attempts: Array<[string, string, () => Promise<Record<string, string>>, 401 | 403]> = [];
      for (const id of [owner.ownerId, 'me']) {
        const url = `/api/v1/owners/${id}/rotate-key`;
        attempts.push(
          [id, 'no credentials', async () => ({}), 401],
          [id, 'a management token', async () => bearer(slugAgent.managementToken), 401],
          [
            id,
            "the signature of the owner's agent",
            () => signedHeaders(owned.pair, owned.did, 'POST', url, undefined, now),
            401,
          ],
          [id, 'an integrator key', async () => bearer(integratorKey), 401],
        );
      }
      attempts.push([owner.ownerId, "another owner's key", async () => bearer(other.apiKey), 403]);

      const before = await tableCounts(storage);
      for (const [id, what, headers, status] of attempts) {
        const res = await rotate(id, await headers());
        assert.equal(res.statusCode, status, `${id} with ${what}: ${res.body}`);
        assert.equal((res.json() as { code: string }).code, status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', what);
      }
      assert.deepEqual(await tableCounts(storage), before, 'no refused rotation wrote anything');
      assert.deepEqual(await listAudit(storage.db, { action: 'owner.rotate_key' }), []);
      const me = await app.inject({ method: 'GET', url: '/api/v1/owners/me', headers: bearer(owner.apiKey) });
      assert.equal(me.statusCode, 200, "the owner's key still works");

      // The owner and the admin still may.
      assert.equal((await rotate('me', bearer(owner.apiKey))).statusCode, 200);
      assert.equal((await rotate(other.ownerId, admin)).statusCode, 200);
      assert.deepEqual(
        (await listAudit(storage.db, { action: 'owner.rotate_key' })).map((e) => [e.actor, e.target]),
        [
          ['admin', other.ownerId],
          [`owner:${owner.ownerId}`, owner.ownerId],
        ],
      );
    } finally {
      await app.close();
    }
  },
);
