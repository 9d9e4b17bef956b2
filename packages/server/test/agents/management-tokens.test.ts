// Management tokens can be cut off without giving up the agent: a key rotation (the recovery from a compromised host,
// where the token sits next to the key) revokes them and answers a fresh one; the agent, its owner or the admin can
// replace one at any time; claiming the agent leaves the registrant's token live. Answers carrying one are no-store.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { listAudit } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import {
  admin,
  bearer,
  claimAgent,
  codeOf,
  createOwner,
  newPair,
  registerPow,
  registerSlug,
  rotateKey,
  signedHeaders,
  signedInject,
  TEST_ENV,
} from './helpers.ts';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** What a management token may do, each tried with `token`: the statuses it got. */
async function managementUses(app: FastifyInstance, slug: string, token: string): Promise<number[]> {
  const tries: Array<{ method: 'POST' | 'PUT'; url: string; payload: Record<string, unknown> }> = [
    { method: 'POST', url: `/v1/identity/${slug}/tools`, payload: { tools: ['transfer_funds'] } },
    {
      method: 'POST',
      url: `/v1/identity/${slug}/voice-fingerprint`,
      payload: { fingerprint_hash: 'a'.repeat(64), provider: 'thief', sample_count: 3 },
    },
    { method: 'PUT', url: `/api/v1/agents/${slug}/slug`, payload: { slug } },
  ];
  const out: number[] = [];
  for (const t of tries) out.push((await app.inject({ ...t, headers: bearer(token) })).statusCode);
  return out;
}

eachEngine(
  'management tokens: a key rotation revokes the old one and answers a fresh one, shown once (no-store)',
  async ({ open }) => {
    const storage = await open();
    const { app, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      const pair = await newPair();
      const agent = await registerSlug(app, 'acme-bot', { public_key_pem: pair.publicKeyBase64 });
      const stolen = agent.managementToken;
      assert.deepEqual(await managementUses(app, 'acme-bot', stolen), [200, 200, 200]);

      clock.advance(1000);
      const next = await newPair();
      const rot = await rotateKey(app, agent.did, pair, next, clock.now());
      assert.equal(rot.statusCode, 200, rot.body);
      assert.equal(rot.headers['cache-control'], 'no-store');
      const body = rot.json() as { managementToken: string; publicKey: string; rotatedAt: number };
      assert.match(body.managementToken, /^vouch_mgmt_[A-Za-z0-9_-]{43}$/);
      assert.notEqual(body.managementToken, stolen);
      assert.equal(body.publicKey, next.publicKeyBase64);

      // The token issued before the rotation is refused everywhere; the new one works.
      assert.deepEqual(await managementUses(app, 'acme-bot', stolen), [401, 401, 401]);
      const revoke = await app.inject({
        method: 'POST',
        url: `/api/v1/agents/${agent.did}/revoke`,
        headers: bearer(stolen),
      });
      assert.equal(revoke.statusCode, 401);
      assert.deepEqual(await managementUses(app, 'acme-bot', body.managementToken), [200, 200, 200]);

      // Stored hashed; the old row is marked revoked at the rotation's time.
      const rows = await storage.db.selectFrom('management_tokens').selectAll().orderBy('created_at').execute();
      assert.deepEqual(
        rows.map((r) => [r.token_hash, r.revoked_at === null ? null : Number(r.revoked_at)]),
        [
          [sha256(stolen), body.rotatedAt],
          [sha256(body.managementToken), null],
        ],
      );
      const [entry] = await listAudit(storage.db, { action: 'agent.rotate_key' });
      assert.equal(entry!.details!.managementTokensRevoked, 1);
      assert.ok(!JSON.stringify(entry).includes(body.managementToken));

      // An agent that never had a management token gets none from a rotation.
      const pow = await registerPow(app);
      const r2 = await rotateKey(app, pow.did, pow.pair, await newPair(), clock.now());
      assert.equal(r2.statusCode, 200, r2.body);
      // (Its unused claim token is replaced instead: claim-token-key-rotation.test.ts.)
      assert.deepEqual(Object.keys(r2.json() as object).sort(), ['claimToken', 'did', 'publicKey', 'rotatedAt']);
    } finally {
      await app.close();
    }
  },
);

eachEngine(
  "management tokens: replaced by the agent's signature, its owner or the admin (never the token itself); a claim keeps the registrant's",
  async ({ open }) => {
    const storage = await open();
    const { app, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      const pair = await newPair();
      const agent = await registerSlug(app, 'ops-bot', { public_key_pem: pair.publicKeyBase64 });
      const owner = await createOwner(app, 'acme');
      const stranger = await createOwner(app, 'globex');
      await claimAgent(app, owner, agent.body.claim_token);
      // The registrant (the agent's operator) keeps managing it after the owner claimed it.
      assert.deepEqual(await managementUses(app, 'ops-bot', agent.managementToken), [200, 200, 200]);

      const url = `/api/v1/agents/${agent.did}/rotate-management-token`;
      const viaToken = await app.inject({ method: 'POST', url, headers: bearer(agent.managementToken) });
      assert.equal(viaToken.statusCode, 401, 'a stolen token cannot lock the operator out');
      const viaStranger = await app.inject({ method: 'POST', url, headers: bearer(stranger.apiKey) });
      assert.equal(viaStranger.statusCode, 403);
      assert.equal(codeOf(viaStranger), 'FORBIDDEN');

      let live = agent.managementToken;
      const replace = async (send: () => Promise<LightMyRequestResponse>, actor: string, by: string) => {
        clock.advance(1000);
        const res = await send();
        assert.equal(res.statusCode, 200, `${by}: ${res.body}`);
        assert.equal(res.headers['cache-control'], 'no-store', by);
        const b = res.json() as { did: string; managementToken: string; revoked: number; rotatedAt: number };
        assert.equal(b.did, agent.did);
        assert.equal(b.revoked, 1, by);
        assert.equal(b.rotatedAt, clock.now());
        assert.deepEqual(await managementUses(app, 'ops-bot', live), [401, 401, 401], `${by}: the old token`);
        assert.deepEqual(await managementUses(app, 'ops-bot', b.managementToken), [200, 200, 200], by);
        const entries = await listAudit(storage.db, { action: 'agent.rotate_management_token' });
        const entry = entries.find((e) => e.at === clock.now())!;
        assert.equal(entry.actor, actor, by);
        assert.equal(entry.target, agent.did);
        assert.deepEqual(entry.details, { by, revoked: 1 });
        assert.ok(!JSON.stringify(entry).includes(b.managementToken));
        live = b.managementToken;
      };
      await replace(
        () => signedInject(app, pair, agent.did, 'POST', url, undefined, clock.now()),
        `agent:${agent.did}`,
        'agent-signature',
      );
      await replace(
        () => app.inject({ method: 'POST', url, headers: bearer(owner.apiKey) }),
        `owner:${owner.ownerId}`,
        'owner',
      );
      await replace(
        () => app.inject({ method: 'POST', url: `/api/v1/agents/ops-bot/rotate-management-token`, headers: admin }),
        'admin',
        'admin',
      );
      const live1 = await storage.db
        .selectFrom('management_tokens')
        .select('token_hash')
        .where('revoked_at', 'is', null)
        .execute();
      assert.deepEqual(live1, [{ token_hash: sha256(live) }], 'exactly one live token');

      // The same signed request again is a replay.
      clock.advance(1000);
      const headers = await signedHeaders(pair, agent.did, 'POST', url, undefined, clock.now());
      assert.equal((await app.inject({ method: 'POST', url, headers })).statusCode, 200);
      const again = await app.inject({ method: 'POST', url, headers });
      assert.equal(again.statusCode, 409);
      assert.equal(codeOf(again), 'REQUEST_REPLAYED');

      // An agent registered with a proof of work may get one too; a revoked agent may not.
      const pow = await registerPow(app);
      const first = await signedInject(
        app,
        pow.pair,
        pow.did,
        'POST',
        `/api/v1/agents/${pow.did}/rotate-management-token`,
        undefined,
        clock.now(),
      );
      assert.equal(first.statusCode, 200, first.body);
      assert.equal((first.json() as { revoked: number }).revoked, 0);
      const token = (first.json() as { managementToken: string }).managementToken;
      const slugRes = await app.inject({
        method: 'PUT',
        url: `/api/v1/agents/${pow.did}/slug`,
        headers: bearer(token),
        payload: { slug: 'pow-bot' },
      });
      assert.equal(slugRes.statusCode, 200, slugRes.body);
      const rev = await app.inject({ method: 'POST', url: `/api/v1/agents/${pow.did}/revoke`, headers: admin });
      assert.equal(rev.statusCode, 200);
      const afterRevoke = await app.inject({
        method: 'POST',
        url: `/api/v1/agents/${pow.did}/rotate-management-token`,
        headers: admin,
      });
      assert.equal(afterRevoke.statusCode, 403);
      assert.equal(codeOf(afterRevoke), 'AGENT_REVOKED');
      const unknown = await app.inject({
        method: 'POST',
        url: '/api/v1/agents/no-such-bot/rotate-management-token',
        headers: admin,
      });
      assert.equal(unknown.statusCode, 404);
    } finally {
      await app.close();
    }
  },
);
