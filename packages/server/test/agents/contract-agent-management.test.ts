// docs/PROTOCOL.md, "Agent identities" (slugs, revocation, key rotation, management tokens), "Replacing credentials"
// and "Agent-signed requests", against the app: the documented members, and every documented refusal with its status
// and code, declared in /docs/json and writing nothing.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { assertAnswer, declaredStatuses, refusedWritingNothing } from './contract-helpers.ts';
import type { Contract } from './contract-helpers.ts';
import {
  admin,
  bearer,
  createOwner,
  newPair,
  registerPow,
  registerSlug,
  rotateKey,
  signedHeaders,
  signedInject,
  TEST_ENV,
} from './helpers.ts';

const PUT_SLUG = 'PUT /api/v1/agents/{id}/slug';
const DELETE_SLUG = 'DELETE /api/v1/agents/{id}/slug';
const REVOKE = 'POST /api/v1/agents/{id}/revoke';
const ROTATE = 'POST /api/v1/agents/{id}/rotate-key';
const ROTATE_MGMT = 'POST /api/v1/agents/{id}/rotate-management-token';

eachEngine('contract: slugs, revocation, key rotation and management tokens', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const c: Contract = { app, storage, declared: await declaredStatuses(app) };
    const agent = await registerPow(app);
    const holder = await registerSlug(app, 'holder');
    const stranger = await createOwner(app, 'stranger');
    const putSlug = (id: string, headers: Record<string, string>, slug: string) =>
      app.inject({ method: 'PUT', url: `/api/v1/agents/${id}/slug`, headers, payload: { slug } });

    // Slugs: the agent's own credentials only; a valid, free slug.
    await refusedWritingNothing(c, PUT_SLUG, () => putSlug(agent.did, {}, 'mine'), 401, 'UNAUTHORIZED');
    await refusedWritingNothing(c, PUT_SLUG, () => putSlug('no-such-agent', admin, 'mine'), 404, 'NOT_FOUND');
    await refusedWritingNothing(
      c,
      PUT_SLUG,
      () => putSlug(agent.did, bearer(stranger.apiKey), 'mine'),
      403,
      'FORBIDDEN',
    );
    await refusedWritingNothing(
      c,
      PUT_SLUG,
      () => putSlug(agent.did, bearer(holder.managementToken), 'mine'),
      403,
      'FORBIDDEN',
    );
    await refusedWritingNothing(c, PUT_SLUG, () => putSlug(agent.did, admin, 'a'.repeat(26)), 400, 'SLUG_INVALID');
    await refusedWritingNothing(c, PUT_SLUG, () => putSlug(agent.did, admin, 'holder'), 409, 'SLUG_TAKEN');
    const t0 = clock.now();
    const signedPut = () =>
      signedInject(app, agent.pair, agent.did, 'PUT', `/api/v1/agents/${agent.did}/slug`, { slug: 'mine' }, t0);
    const put = assertAnswer(c, PUT_SLUG, await signedPut(), 200, ['did', 'slug', 'public_url']);
    assert.deepEqual(put, { did: agent.did, slug: 'mine', public_url: 'https://vouch.test/verify/mine' });
    // Each signed request acts once.
    await refusedWritingNothing(c, PUT_SLUG, signedPut, 409, 'REQUEST_REPLAYED');
    // X-Vouch-Agent is a DID or an id, never a slug.
    const bySlug = await signedHeaders(
      agent.pair,
      'mine',
      'PUT',
      `/api/v1/agents/${agent.did}/slug`,
      { slug: 'mine' },
      t0 + 1,
    );
    await refusedWritingNothing(
      c,
      PUT_SLUG,
      () =>
        app.inject({
          method: 'PUT',
          url: `/api/v1/agents/${agent.did}/slug`,
          headers: bySlug,
          payload: { slug: 'mine' },
        }),
      401,
      'UNAUTHORIZED',
    );
    const del = () => app.inject({ method: 'DELETE', url: `/api/v1/agents/mine/slug`, headers: admin });
    assert.deepEqual(assertAnswer(c, DELETE_SLUG, await del(), 200, ['did', 'slug', 'released']), {
      did: agent.did,
      slug: null,
      released: 'mine',
    });

    // Key rotation: signed by the current key, the statement by the new one; a key belongs to one agent forever.
    const next = await newPair();
    await refusedWritingNothing(
      c,
      ROTATE,
      () =>
        app.inject({
          method: 'POST',
          url: `/api/v1/agents/${agent.did}/rotate-key`,
          headers: admin,
          payload: { newPublicKey: next.publicKeyBase64, newKeySignature: 'AAAA' },
        }),
      401,
      'UNAUTHORIZED',
    );
    await refusedWritingNothing(
      c,
      ROTATE,
      () => rotateKey(app, agent.did, agent.pair, agent.pair, t0 + 2),
      409,
      'KEY_ALREADY_REGISTERED',
    );
    const wrong = { newPublicKey: next.publicKeyBase64, newKeySignature: 'A'.repeat(86) + '==' };
    await refusedWritingNothing(
      c,
      ROTATE,
      () => signedInject(app, agent.pair, agent.did, 'POST', `/api/v1/agents/${agent.did}/rotate-key`, wrong, t0 + 3),
      400,
      'SIGNATURE_INVALID',
    );
    // The agent is unclaimed: its claim token is replaced with the key.
    const rotated = assertAnswer(c, ROTATE, await rotateKey(app, agent.did, agent.pair, next, t0 + 4), 200, [
      'claimToken',
      'did',
      'publicKey',
      'rotatedAt',
    ]);
    const { claimToken: _fresh, ...rest } = rotated as Record<string, unknown>;
    assert.deepEqual(rest, { did: agent.did, publicKey: next.publicKeyBase64, rotatedAt: t0 });
    // The old key stops at once.
    const third = await newPair();
    await refusedWritingNothing(
      c,
      ROTATE,
      () => rotateKey(app, agent.did, agent.pair, third, t0 + 5),
      401,
      'UNAUTHORIZED',
    );

    // Management tokens: replaced by the agent, its owner or the admin, never by the token itself (401).
    const rotateMgmt = (id: string, headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: `/api/v1/agents/${id}/rotate-management-token`, headers });
    await refusedWritingNothing(
      c,
      ROTATE_MGMT,
      () => rotateMgmt('holder', bearer(holder.managementToken)),
      401,
      'UNAUTHORIZED',
    );
    await refusedWritingNothing(c, ROTATE_MGMT, () => rotateMgmt('holder', bearer(stranger.apiKey)), 403, 'FORBIDDEN');
    const replaced = assertAnswer(c, ROTATE_MGMT, await rotateMgmt('holder', admin), 200, [
      'did',
      'managementToken',
      'revoked',
      'rotatedAt',
    ]);
    assert.equal(replaced.revoked, 1);
    assert.match(String(replaced.managementToken), /^vouch_mgmt_[A-Za-z0-9_-]{43}$/);
    const stale = await putSlug('holder', bearer(holder.managementToken), 'holder-two');
    assert.equal(stale.statusCode, 401, 'the old management token stops at once');

    // Revocation: final; the agent is refused afterwards with 403 AGENT_REVOKED.
    const revoke = (id: string, headers: Record<string, string>, payload?: object) =>
      app.inject({ method: 'POST', url: `/api/v1/agents/${id}/revoke`, headers, ...(payload ? { payload } : {}) });
    await refusedWritingNothing(c, REVOKE, () => revoke('holder', bearer(stranger.apiKey)), 403, 'FORBIDDEN');
    await refusedWritingNothing(
      c,
      REVOKE,
      () => revoke('holder', admin, { reason: '' }),
      400,
      'VALIDATION_FAILED',
      'body.reason',
    );
    const done = assertAnswer(c, REVOKE, await revoke('holder', admin, { reason: 'retired' }), 200, [
      'did',
      'status',
      'revokedAt',
    ]);
    assert.deepEqual(done, { did: holder.did, status: 'revoked', revokedAt: t0 });
    await refusedWritingNothing(c, PUT_SLUG, () => putSlug('holder', admin, 'holder-two'), 403, 'AGENT_REVOKED');
    await refusedWritingNothing(
      c,
      DELETE_SLUG,
      () => app.inject({ method: 'DELETE', url: '/api/v1/agents/holder/slug', headers: admin }),
      403,
      'AGENT_REVOKED',
    );
    await refusedWritingNothing(c, ROTATE_MGMT, () => rotateMgmt('holder', admin), 403, 'AGENT_REVOKED');
    // A revoked agent keeps its slug.
    await refusedWritingNothing(c, PUT_SLUG, () => putSlug(agent.did, admin, 'holder'), 409, 'SLUG_TAKEN');
  } finally {
    await app.close();
  }
});
