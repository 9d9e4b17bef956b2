// Owner API keys can be replaced: by the owner (a routine rotation, or a suspected leak) and by the admin (the owner
// lost the key, or a thief rotated it first). The old key stops at once, also for a request it authenticated that
// has not acted yet. Answers carrying a key are no-store.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { holdCredential, managementTokenAuthenticator, ownerAuthenticator } from '../../src/modules/agents/auth.ts';
import { listAudit } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, bearer, claimAgent, codeOf, createOwner, registerPow, registerSlug, TEST_ENV } from './helpers.ts';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

eachEngine('owner keys: the owner or the admin replaces them; the old key stops at once', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/owners',
      headers: admin,
      payload: { name: 'Acme', handle: 'acme' },
    });
    assert.equal(created.headers['cache-control'], 'no-store', 'POST /api/v1/owners answers the key');
    const owner = created.json() as { ownerId: string; apiKey: string };
    const other = await createOwner(app, 'globex');
    const link = await app.inject({
      method: 'POST',
      url: '/api/v1/owners/linking-keys',
      headers: bearer(owner.apiKey),
    });
    assert.equal(link.statusCode, 201);
    assert.equal(link.headers['cache-control'], 'no-store', 'POST /api/v1/owners/linking-keys answers the key');
    const agent = await registerPow(app);
    await claimAgent(app, owner, agent.claimToken);

    const me = (key: string) => app.inject({ method: 'GET', url: '/api/v1/owners/me', headers: bearer(key) });
    const rotate = (id: string, headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: `/api/v1/owners/${id}/rotate-key`, headers });

    // The owner, as `me`.
    clock.advance(1000);
    const r1 = await rotate('me', bearer(owner.apiKey));
    assert.equal(r1.statusCode, 200, r1.body);
    assert.equal(r1.headers['cache-control'], 'no-store');
    const k1 = r1.json() as { ownerId: string; apiKey: string; revoked: number; rotatedAt: number };
    assert.equal(k1.ownerId, owner.ownerId);
    assert.match(k1.apiKey, /^vouch_owner_[A-Za-z0-9_-]{43}$/);
    assert.equal(k1.revoked, 1);
    assert.equal(k1.rotatedAt, clock.now());
    assert.equal((await me(owner.apiKey)).statusCode, 401, 'the old key');
    assert.equal((await me(k1.apiKey)).statusCode, 200);
    const revokeWithOld = await app.inject({
      method: 'POST',
      url: `/api/v1/agents/${agent.did}/revoke`,
      headers: bearer(owner.apiKey),
    });
    assert.equal(revokeWithOld.statusCode, 401, 'the old key manages no agent');

    // The owner by its id; never another owner's key.
    const r2 = await rotate(owner.ownerId, bearer(k1.apiKey));
    assert.equal(r2.statusCode, 200, r2.body);
    const k2 = (r2.json() as { apiKey: string }).apiKey;
    const cross = await rotate(other.ownerId, bearer(k2));
    assert.equal(cross.statusCode, 403);
    assert.equal(codeOf(cross), 'FORBIDDEN');
    assert.equal((await me(other.apiKey)).statusCode, 200, "the other owner's key still works");

    // The admin, for an owner locked out (or to cut a thief off): the old key stops, the new one is handed over.
    clock.advance(1000);
    const r3 = await rotate(owner.ownerId, admin);
    assert.equal(r3.statusCode, 200, r3.body);
    assert.equal(r3.headers['cache-control'], 'no-store');
    const k3 = (r3.json() as { apiKey: string }).apiKey;
    assert.equal((await me(k2)).statusCode, 401);
    assert.equal((await me(k3)).statusCode, 200);
    const slug = await app.inject({
      method: 'PUT',
      url: `/api/v1/agents/${agent.did}/slug`,
      headers: bearer(k3),
      payload: { slug: 'acme-bot' },
    });
    assert.equal(slug.statusCode, 200, 'the new key manages its agents');

    for (const [id, status] of [
      ['me', 404],
      ['a'.repeat(26), 404],
      ['not-an-owner', 404],
    ] as const) {
      const res = await rotate(id, admin);
      assert.equal(res.statusCode, status, `${id}: ${res.body}`);
    }
    assert.equal(
      (await app.inject({ method: 'POST', url: `/api/v1/owners/${owner.ownerId}/rotate-key` })).statusCode,
      401,
    );

    const keys = await storage.db
      .selectFrom('owner_api_keys')
      .selectAll()
      .where('owner_id', '=', owner.ownerId)
      .execute();
    assert.deepEqual(
      keys.filter((k) => k.revoked_at === null).map((k) => k.key_hash),
      [sha256(k3)],
      'one live key, stored hashed',
    );
    const audit = await listAudit(storage.db, { action: 'owner.rotate_key' });
    const asOwner = JSON.stringify([`owner:${owner.ownerId}`, owner.ownerId, { by: 'owner', revoked: 1 }]);
    const asAdmin = JSON.stringify(['admin', owner.ownerId, { by: 'admin', revoked: 1 }]);
    // The first rotation also ended the linking key minted before it (linking-keys-owner-rotation.test.ts).
    const first = JSON.stringify([
      `owner:${owner.ownerId}`,
      owner.ownerId,
      { by: 'owner', revoked: 1, linkingKeysRevoked: 1 },
    ]);
    assert.deepEqual(audit.map((e) => JSON.stringify([e.actor, e.target, e.details])).sort(), [
      asAdmin,
      first,
      asOwner,
    ]);
    for (const k of [k1.apiKey, k2, k3]) assert.ok(!JSON.stringify(audit).includes(k));
  } finally {
    await app.close();
  }
});

eachEngine(
  'owner keys and management tokens: a request authenticated before a revocation cannot act after it',
  async ({ open }) => {
    const storage = await open();
    const { app, ctx, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      const owner = await createOwner(app, 'acme');
      const agent = await registerSlug(app, 'acme-bot');
      // Authenticated as the router does, before the handler's transaction.
      const authenticated = async (secret: string): Promise<FastifyRequest> => {
        const req = { headers: bearer(secret), principal: null } as unknown as FastifyRequest;
        req.principal = (await ownerAuthenticator(ctx)(req)) ?? (await managementTokenAuthenticator(ctx)(req));
        assert.ok(req.principal, 'authenticated');
        return req;
      };
      const act = (req: FastifyRequest) =>
        storage.db.transaction().execute((trx) => holdCredential(trx, storage.engine, req, clock.now()));
      const ownerReq = await authenticated(owner.apiKey);
      const tokenReq = await authenticated(agent.managementToken);
      await act(ownerReq);
      await act(tokenReq);

      const r1 = await app.inject({
        method: 'POST',
        url: `/api/v1/owners/${owner.ownerId}/rotate-key`,
        headers: admin,
      });
      assert.equal(r1.statusCode, 200);
      const r2 = await app.inject({
        method: 'POST',
        url: `/api/v1/agents/${agent.did}/rotate-management-token`,
        headers: admin,
      });
      assert.equal(r2.statusCode, 200);
      const refused = { code: 'UNAUTHORIZED', statusCode: 401 };
      await assert.rejects(act(ownerReq), refused);
      await assert.rejects(act(tokenReq), refused);
    } finally {
      await app.close();
    }
  },
);
