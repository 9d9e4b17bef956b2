// Gaps found by mutation testing in the audit entries of the agents module: every audited write (creating an owner,
// replacing an owner key or a management token, rotating an agent's key, revoking an agent) names who acted, what it
// acted on and the request that did it (its x-request-id, so the entry leads to the request's log line), and a
// request refused for its credentials leaves no entry. Read back through the admin audit API.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { rotationStatement } from '../../src/modules/agents/auth.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import {
  admin,
  bearer,
  claimAgent,
  createOwner,
  newPair,
  registerPow,
  registerSlug,
  signedInject,
  signText,
  TEST_ENV,
} from './helpers.ts';

type Row = [action: string, actor: string, target: string | null, requestId: string | null];

async function audit(t: TestApp): Promise<Row[]> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: admin });
  assert.equal(res.statusCode, 200, res.body);
  const entries = (
    res.json() as { entries: Array<{ action: string; actor: string; target: string | null; requestId: string | null }> }
  ).entries;
  return entries.map((e) => [e.action, e.actor, e.target, e.requestId]);
}

function ok(res: LightMyRequestResponse, status = 200): string {
  assert.equal(res.statusCode, status, res.body);
  return String(res.headers['x-request-id']);
}

eachEngine('agents module writes are audited with actor, target and request id; refusals are not', async ({ open }) => {
  const t = await makeApp(await open(), { env: TEST_ENV });
  const { app, clock } = t;
  try {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/owners',
      headers: admin,
      payload: { name: 'Acme', handle: 'acme' },
    });
    const createdReq = ok(created, 201);
    const owner = created.json() as { ownerId: string; apiKey: string };
    const other = await createOwner(app, 'globex');
    const a = await registerPow(app);
    await claimAgent(app, owner, a.claimToken);
    const bot = await registerSlug(app, 'ops-bot');
    const base = await audit(t);
    assert.deepEqual(base.filter((e) => e[0] === 'owner.create').at(-1), [
      'owner.create',
      'admin',
      owner.ownerId,
      createdReq,
    ]);

    // Refused for their credentials: no entry.
    const refusals = [
      await app.inject({
        method: 'POST',
        url: `/api/v1/owners/${owner.ownerId}/rotate-key`,
        headers: bearer(other.apiKey),
      }),
      await app.inject({
        method: 'POST',
        url: `/api/v1/agents/${a.did}/rotate-management-token`,
        headers: bearer(other.apiKey),
      }),
      await app.inject({ method: 'POST', url: `/api/v1/agents/${a.did}/revoke`, headers: bearer(bot.managementToken) }),
      await app.inject({
        method: 'POST',
        url: '/api/v1/owners',
        headers: bearer(owner.apiKey),
        payload: { name: 'X', handle: 'x' },
      }),
    ];
    assert.deepEqual(
      refusals.map((r) => r.statusCode),
      [403, 403, 403, 401],
    );
    assert.deepEqual(await audit(t), base);

    clock.advance(1000);
    const me = bearer(owner.apiKey);
    const byOwner = ok(await app.inject({ method: 'POST', url: '/api/v1/owners/me/rotate-key', headers: me }));
    const adminRotation = await app.inject({
      method: 'POST',
      url: `/api/v1/owners/${owner.ownerId}/rotate-key`,
      headers: admin,
    });
    const byAdmin = ok(adminRotation);
    const current = bearer((adminRotation.json() as { apiKey: string }).apiKey);
    const mgmtUrl = '/api/v1/agents/ops-bot/rotate-management-token';
    const mgmt = ok(await app.inject({ method: 'POST', url: mgmtUrl, headers: admin }));
    const next = await newPair();
    const statement = rotationStatement(a.did, a.pair.publicKeyBase64!, next.publicKeyBase64!, clock.now());
    const rotation = { newPublicKey: next.publicKeyBase64!, newKeySignature: await signText(next, statement) };
    const url = `/api/v1/agents/${a.did}/rotate-key`;
    const rotated = ok(await signedInject(app, a.pair, a.did, 'POST', url, rotation, clock.now()));
    const stale = await app.inject({ method: 'GET', url: '/api/v1/owners/me', headers: me });
    assert.equal(stale.statusCode, 401, 'the rotated owner key is gone');
    const revoked = ok(
      await app.inject({ method: 'POST', url: `/api/v1/agents/${a.did}/revoke`, headers: current, payload: {} }),
    );
    assert.deepEqual((await audit(t)).slice(0, -base.length), [
      ['agent.revoke', `owner:${owner.ownerId}`, a.did, revoked],
      ['agent.rotate_key', `agent:${a.did}`, a.did, rotated],
      ['agent.rotate_management_token', 'admin', bot.did, mgmt],
      ['owner.rotate_key', 'admin', owner.ownerId, byAdmin],
      ['owner.rotate_key', `owner:${owner.ownerId}`, owner.ownerId, byOwner],
    ]);
    const [revocation] = (
      await app.inject({ method: 'GET', url: '/api/v1/admin/audit?action=agent.revoke', headers: admin })
    ).json().entries as Array<{ details: unknown }>;
    assert.deepEqual(revocation!.details, { by: 'owner' });
  } finally {
    await app.close();
  }
});
