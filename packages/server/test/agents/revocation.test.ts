import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { solvePow } from '@vouch/sdk';
import { listAudit } from '../../src/storage/index.ts';
import { assertAgentActive, resolveAgent } from '../../src/modules/agents/service.ts';
import { rotationStatement } from '../../src/modules/agents/auth.ts';
import { ApiError } from '../../src/errors.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import {
  admin,
  bearer,
  claimAgent,
  codeOf,
  createOwner,
  newPair,
  registerPow,
  registerSlug,
  signedHeaders,
  signedInject,
  signText,
  TEST_ENV,
} from './helpers.ts';

eachEngine('revocation by the admin: audited, idempotent, refused by every later check', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const a = await registerPow(app);
    clock.advance(1000);
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/agents/${a.did}/revoke`,
      headers: admin,
      payload: { reason: 'compromised host' },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { did: a.did, status: 'revoked', revokedAt: clock.now() });
    const entries = await listAudit(storage.db, { action: 'agent.revoke' });
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.actor, 'admin');
    assert.equal(entries[0]!.target, a.did);
    assert.deepEqual(entries[0]!.details, { by: 'admin', reason: 'compromised host' });

    clock.advance(1000);
    const again = await app.inject({ method: 'POST', url: `/api/v1/agents/${a.id}/revoke`, headers: admin });
    assert.equal(again.statusCode, 200);
    assert.equal((again.json() as { revokedAt: number }).revokedAt, clock.now() - 1000, 'the first revocation stands');
    assert.equal((await listAudit(storage.db, { action: 'agent.revoke' })).length, 1);

    const agent = await resolveAgent(ctx, a.did);
    assert.equal(agent.status, 'revoked');
    assert.throws(
      () => assertAgentActive(agent),
      (e: unknown) => e instanceof ApiError && e.code === 'AGENT_REVOKED' && e.statusCode === 403,
    );
    // Its own signature can no longer change anything.
    const slug = await signedInject(
      app,
      a.pair,
      a.did,
      'PUT',
      `/api/v1/agents/${a.did}/slug`,
      { slug: 'late' },
      clock.now(),
    );
    assert.equal(slug.statusCode, 403);
    assert.equal(codeOf(slug), 'AGENT_REVOKED');
    const profile = (await app.inject({ method: 'GET', url: `/v1/identity/${a.did}` })).json() as {
      status: string;
      revoked_at: string;
    };
    assert.equal(profile.status, 'revoked');
    assert.equal(profile.revoked_at, new Date(clock.now() - 1000).toISOString());
  } finally {
    await app.close();
  }
});

eachEngine('revocation by the owner, by the management token, and refusals for anyone else', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const owner = await createOwner(app, 'acme');
    const stranger = await createOwner(app, 'stranger');
    const a = await registerPow(app);
    await claimAgent(app, owner, a.claimToken);
    const b = await registerSlug(app, 'agent-b');
    const c = await registerSlug(app, 'agent-c');

    const before = await tableCounts(storage);
    for (const [url, headers] of [
      [`/api/v1/agents/${a.did}/revoke`, bearer(stranger.apiKey)],
      [`/api/v1/agents/${a.did}/revoke`, bearer(b.managementToken)],
      [`/api/v1/agents/agent-b/revoke`, bearer(c.managementToken)],
      [`/api/v1/agents/agent-b/revoke`, bearer(owner.apiKey)],
    ] as const) {
      const res = await app.inject({ method: 'POST', url, headers });
      assert.equal(res.statusCode, 403, url);
      assert.equal(codeOf(res), 'FORBIDDEN');
    }
    assert.deepEqual(await tableCounts(storage), before);

    const byOwner = await app.inject({
      method: 'POST',
      url: `/api/v1/agents/${a.did}/revoke`,
      headers: bearer(owner.apiKey),
    });
    assert.equal(byOwner.statusCode, 200);
    const byToken = await app.inject({
      method: 'POST',
      url: `/api/v1/agents/agent-b/revoke`,
      headers: bearer(b.managementToken),
    });
    assert.equal(byToken.statusCode, 200);
    const actors = (await listAudit(storage.db, { action: 'agent.revoke' })).map((e) => e.actor).sort();
    assert.deepEqual(actors, [`agent:${b.did}`, `owner:${owner.ownerId}`].sort());
    const rows = await storage.db.selectFrom('agents').select(['id', 'status', 'revoked_by']).execute();
    assert.deepEqual(
      rows
        .filter((r) => r.status === 'revoked')
        .map((r) => r.revoked_by)
        .sort(),
      ['agent', 'owner'],
    );
  } finally {
    await app.close();
  }
});

eachEngine('agent-signed requests: signature, window, body binding, replay, other agents', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const a = await registerPow(app);
    const b = await registerPow(app);
    const url = `/api/v1/agents/${a.did}/revoke`;
    const payload = { reason: 'done' };
    const before = await tableCounts(storage);
    const expectStatus = async (headers: Record<string, string>, status: number, body: unknown = payload) => {
      const res = await app.inject({ method: 'POST', url, headers, payload: body as object });
      assert.equal(res.statusCode, status, res.body);
      return res;
    };
    const now = clock.now();
    // Signed by another agent's key, or by B as B: authenticated as B at most, and B may not revoke A.
    await expectStatus(await signedHeaders(b.pair, a.did, 'POST', url, payload, now), 401);
    const asB = await expectStatus(await signedHeaders(b.pair, b.did, 'POST', url, payload, now), 403);
    assert.equal(codeOf(asB), 'FORBIDDEN');
    // Outside the ±5 minute window.
    await expectStatus(await signedHeaders(a.pair, a.did, 'POST', url, payload, now - 300_001), 401);
    await expectStatus(await signedHeaders(a.pair, a.did, 'POST', url, payload, now + 300_001), 401);
    // Another body than the one signed, another path, another method, a slug instead of the DID.
    const signed = await signedHeaders(a.pair, a.did, 'POST', url, payload, now);
    const tampered = await expectStatus(signed, 401, { reason: 'other' });
    assert.match((tampered.json() as { error: string }).error, /does not match the signed/);
    await expectStatus({ ...signed, 'x-vouch-content-sha256': '0'.repeat(64) }, 401);
    await expectStatus(await signedHeaders(a.pair, a.did, 'POST', `${url}?x=1`, payload, now), 401);
    await expectStatus(await signedHeaders(a.pair, a.did, 'PUT', url, payload, now), 401);
    await expectStatus({ ...signed, 'x-vouch-signature': signed['x-vouch-signature']!.slice(0, -4) + 'AAA=' }, 401);
    await expectStatus({ ...signed, 'x-vouch-signed-at': String(now + 1) }, 401);
    assert.deepEqual(await tableCounts(storage), before, 'nothing written by refused signed requests');

    // The genuine request acts once; the same bytes again are a replay.
    const ok = await expectStatus(signed, 200);
    assert.equal((ok.json() as { status: string }).status, 'revoked');
    const replay = await expectStatus(signed, 409);
    assert.equal(codeOf(replay), 'REQUEST_REPLAYED');
    // The agent may name itself by internal id too.
    const byId = await signedHeaders(a.pair, a.id, 'POST', url, payload, now + 1);
    assert.equal((await expectStatus(byId, 200)).statusCode, 200);
    const [entry] = await listAudit(storage.db, { action: 'agent.revoke' });
    assert.equal(entry!.actor, `agent:${a.did}`);
  } finally {
    await app.close();
  }
});

eachEngine('key rotation needs the old key (request) and the new key (statement)', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const a = await registerPow(app);
    const other = await registerPow(app);
    const next = await newPair();
    const url = `/api/v1/agents/${a.did}/rotate-key`;
    const oldKey = a.pair.publicKeyBase64!;
    const newKey = next.publicKeyBase64!;
    const at = () => clock.now();
    const statementBy = (signer: typeof next, signedAt: number, key = newKey) =>
      signText(signer, rotationStatement(a.did, oldKey, key, signedAt));

    const before = await tableCounts(storage);
    const attempts: Array<[string, () => Promise<LightMyRequestResponse>, number, string]> = [
      [
        'statement signed by the old key',
        async () => {
          const p = { newPublicKey: newKey, newKeySignature: await statementBy(a.pair, at()) };
          return signedInject(app, a.pair, a.did, 'POST', url, p, at());
        },
        400,
        'SIGNATURE_INVALID',
      ],
      [
        'statement over another signedAt',
        async () => {
          const p = { newPublicKey: newKey, newKeySignature: await statementBy(next, at() - 1) };
          return signedInject(app, a.pair, a.did, 'POST', url, p, at());
        },
        400,
        'SIGNATURE_INVALID',
      ],
      [
        'request signed by the new key',
        async () => {
          const p = { newPublicKey: newKey, newKeySignature: await statementBy(next, at()) };
          return signedInject(app, next, a.did, 'POST', url, p, at());
        },
        401,
        'UNAUTHORIZED',
      ],
      [
        'the admin',
        async () =>
          app.inject({
            method: 'POST',
            url,
            headers: admin,
            payload: { newPublicKey: newKey, newKeySignature: await statementBy(next, at()) },
          }),
        401,
        'UNAUTHORIZED',
      ],
      [
        "another agent's key",
        async () => {
          const taken = other.pair.publicKeyBase64!;
          const p = { newPublicKey: taken, newKeySignature: await statementBy(other.pair, at(), taken) };
          return signedInject(app, a.pair, a.did, 'POST', url, p, at());
        },
        409,
        'KEY_ALREADY_REGISTERED',
      ],
    ];
    for (const [what, send, status, code] of attempts) {
      clock.advance(1);
      const res = await send();
      assert.equal(res.statusCode, status, `${what}: ${res.body}`);
      assert.equal(codeOf(res), code, what);
    }
    assert.deepEqual(await tableCounts(storage), before, 'refused rotations wrote nothing');

    clock.advance(1);
    const p = { newPublicKey: next.publicPem, newKeySignature: await statementBy(next, at()) };
    const ok = await signedInject(app, a.pair, a.did, 'POST', url, p, at());
    assert.equal(ok.statusCode, 200, ok.body);
    // An unclaimed agent's claim token is replaced with the key (claim-token-key-rotation.test.ts).
    const { claimToken, ...answer } = ok.json() as { claimToken: string };
    assert.deepEqual(answer, { did: a.did, publicKey: newKey, rotatedAt: at() });
    assert.match(claimToken, /^vouch_claim_/);
    const profile = (await app.inject({ method: 'GET', url: `/v1/identity/${a.did}` })).json() as {
      public_key: string;
    };
    assert.equal(profile.public_key, newKey);
    const [entry] = await listAudit(storage.db, { action: 'agent.rotate_key' });
    assert.deepEqual(entry!.details, { from: oldKey, to: newKey, claimTokenReplaced: true });

    // The old key no longer speaks for the agent; the new one does.
    clock.advance(1);
    const oldSpeaks = await signedInject(
      app,
      a.pair,
      a.did,
      'PUT',
      `/api/v1/agents/${a.did}/slug`,
      { slug: 'rotated' },
      at(),
    );
    assert.equal(oldSpeaks.statusCode, 401);
    const newSpeaks = await signedInject(
      app,
      next,
      a.did,
      'PUT',
      `/api/v1/agents/${a.did}/slug`,
      { slug: 'rotated' },
      at(),
    );
    assert.equal(newSpeaks.statusCode, 200);
    // A rotated-out key stays bound to its agent: it cannot register again.
    const { nonce } = await solvePow(oldKey, { difficulty: 1 });
    const reuse = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/register',
      payload: { publicKey: oldKey, powNonce: nonce },
    });
    assert.equal(reuse.statusCode, 409);
    assert.equal(codeOf(reuse), 'KEY_ALREADY_REGISTERED');
    const keys = await storage.db.selectFrom('agent_keys').selectAll().where('agent_id', '=', a.id).execute();
    assert.deepEqual(
      keys.map((k) => [k.public_key, k.retired_at === null]).sort(),
      [
        [oldKey, false],
        [newKey, true],
      ].sort(),
    );
  } finally {
    await app.close();
  }
});

eachEngine('revoking an agent revokes its live tokens in the same transaction', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const a = await registerPow(app);
    const issued = await app.inject({
      method: 'POST',
      url: '/api/registry/issue',
      headers: admin,
      payload: { agent_name: a.did },
    });
    assert.equal(issued.statusCode, 201, issued.body);
    const { jti } = issued.json() as { jti: string };
    const revoked = await app.inject({ method: 'POST', url: `/api/v1/agents/${a.did}/revoke`, headers: admin });
    assert.equal(revoked.statusCode, 200);
    const list = (await app.inject({ method: 'GET', url: '/api/registry/revocations' })).json() as {
      revoked: Array<{ jti: string; reason: string | null }>;
    };
    assert.deepEqual(
      list.revoked.map((r) => [r.jti, r.reason]),
      [[jti, 'agent revoked']],
    );
  } finally {
    await app.close();
  }
});
