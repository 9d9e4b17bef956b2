// docs/PROTOCOL.md, "Agent identities" (owners, linking keys, claims) and "Replacing credentials" (owner keys),
// against the app: the documented members, and every documented refusal with its status and code, declared in
// /docs/json and writing nothing.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { assertAnswer, declaredStatuses, refusedWritingNothing } from './contract-helpers.ts';
import type { Contract } from './contract-helpers.ts';
import { admin, bearer, createOwner, registerPow, TEST_ENV } from './helpers.ts';

const OWNERS = 'POST /api/v1/owners';
const ME = 'GET /api/v1/owners/me';
const LINK = 'POST /api/v1/owners/linking-keys';
const CLAIM = 'POST /api/v1/agents/claim';
const ROTATE = 'POST /api/v1/owners/{id}/rotate-key';

eachEngine('contract: owners, linking keys, claims and owner key rotation', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const c: Contract = { app, storage, declared: await declaredStatuses(app) };
    const create = (headers: Record<string, string>, payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/v1/owners', headers, payload });

    // POST /api/v1/owners: the admin only; a handle once.
    await refusedWritingNothing(c, OWNERS, () => create({}, { name: 'A', handle: 'acme' }), 401, 'UNAUTHORIZED');
    await refusedWritingNothing(
      c,
      OWNERS,
      () => create(admin, { name: 'A', handle: 'Acme' }),
      400,
      'VALIDATION_FAILED',
      'body.handle',
    );
    await refusedWritingNothing(
      c,
      OWNERS,
      () => create(admin, { name: 'A\u200b', handle: 'acme' }),
      400,
      'VALIDATION_FAILED',
      'body.name',
    );
    const made = assertAnswer(c, OWNERS, await create(admin, { name: 'Acme', handle: 'acme' }), 201, [
      'ownerId',
      'name',
      'handle',
      'apiKey',
    ]);
    assert.match(String(made.apiKey), /^vouch_owner_[A-Za-z0-9_-]{43}$/);
    const owner = { ownerId: String(made.ownerId), apiKey: String(made.apiKey) };
    await refusedWritingNothing(c, OWNERS, () => create(admin, { name: 'B', handle: 'acme' }), 409, 'HANDLE_TAKEN');

    // GET /api/v1/owners/me: an owner key only.
    const me = await app.inject({ method: 'GET', url: '/api/v1/owners/me', headers: admin });
    assert.equal(me.statusCode, 401);
    const mine = assertAnswer(
      c,
      ME,
      await app.inject({ method: 'GET', url: '/api/v1/owners/me', headers: bearer(owner.apiKey) }),
      200,
      ['ownerId', 'name', 'handle', 'agents', 'next'],
    );
    assert.deepEqual(mine.agents, []);

    // Linking keys: 201, single use for 7 days.
    const lk = assertAnswer(
      c,
      LINK,
      await app.inject({ method: 'POST', url: '/api/v1/owners/linking-keys', headers: bearer(owner.apiKey) }),
      201,
      ['linkingKey', 'ownerId', 'expiresAt'],
    );
    assert.match(String(lk.linkingKey), /^vouch_link_[A-Za-z0-9_-]{43}$/);
    assert.equal(lk.expiresAt, clock.now() + 7 * 24 * 3600_000);

    // Claims: a claim token once, never for a revoked agent.
    const claim = (apiKey: string, claimToken: unknown) =>
      app.inject({ method: 'POST', url: '/api/v1/agents/claim', headers: bearer(apiKey), payload: { claimToken } });
    const agent = await registerPow(app);
    await refusedWritingNothing(c, CLAIM, () => claim(owner.apiKey, 'vouch_claim_unknown'), 400, 'TOKEN_INVALID');
    await refusedWritingNothing(c, CLAIM, () => claim(owner.apiKey, 'not-a-claim-token'), 400, 'TOKEN_INVALID');
    const claimed = assertAnswer(c, CLAIM, await claim(owner.apiKey, agent.claimToken), 200, [
      'did',
      'ownerId',
      'status',
      'linked',
    ]);
    assert.deepEqual(claimed, { did: agent.did, ownerId: owner.ownerId, status: 'claimed', linked: true });
    const other = await createOwner(app, 'bolt');
    await refusedWritingNothing(c, CLAIM, () => claim(other.apiKey, agent.claimToken), 409, 'TOKEN_USED');
    const revoked = await registerPow(app);
    const r = await app.inject({ method: 'POST', url: `/api/v1/agents/${revoked.did}/revoke`, headers: admin });
    assert.equal(r.statusCode, 200, r.body);
    await refusedWritingNothing(c, CLAIM, () => claim(owner.apiKey, revoked.claimToken), 403, 'AGENT_REVOKED');

    // Owner key rotation: `me` or its own id; another owner's id is 403; an unknown owner (admin) 404.
    const rotate = (id: string, headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: `/api/v1/owners/${id}/rotate-key`, headers });
    await refusedWritingNothing(c, ROTATE, () => rotate(other.ownerId, bearer(owner.apiKey)), 403, 'FORBIDDEN');
    await refusedWritingNothing(c, ROTATE, () => rotate('a'.repeat(26), admin), 404, 'NOT_FOUND');
    const rotated = assertAnswer(c, ROTATE, await rotate('me', bearer(owner.apiKey)), 200, [
      'ownerId',
      'apiKey',
      'revoked',
      'rotatedAt',
    ]);
    assert.deepEqual(
      { ...rotated, apiKey: '' },
      { ownerId: owner.ownerId, apiKey: '', revoked: 1, rotatedAt: clock.now() },
    );
    const old = await app.inject({ method: 'GET', url: '/api/v1/owners/me', headers: bearer(owner.apiKey) });
    assert.equal(old.statusCode, 401, 'the old key stops at once');
  } finally {
    await app.close();
  }
});
