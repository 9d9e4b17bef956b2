// A capability token is bound to the Vouch agent its `sub` named at issuance (recorded by the gateway), not to
// whoever holds that slug later: releasing the slug before a revocation does not save the token, and a slug taken
// by another agent does not carry the first agent's tokens over.
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, type TestApp } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';
import { capabilityAgentBinding } from '../../src/storage/migrations/0009_capability_agent_binding.ts';
import { admin, post } from '../registry/fixtures.ts';
import { ADMIN, registerAgent, revokeAgent } from '../tokens/helpers.ts';
import { boundToken, genesis, intercept, issue } from './helpers.ts';

const SLUG = 'pay-bot';

function setup(storage: Storage): Promise<TestApp> {
  return makeApp(storage, { env: { VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent' } });
}

/** `POST /v1/tokens` as the admin for `agentId`; asserts 201. */
async function adminToken(
  app: TestApp,
  agentId: string,
  fields: Record<string, unknown> = {},
): Promise<{ token: string; tokenId: string }> {
  const res = await issue(
    app.app,
    { agentId, resource: 'payments:invoices', action: 'read', ...fields },
    admin(app.adminKey),
  );
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { token: res.body.token!, tokenId: res.body.tokenId! };
}

async function releaseSlug(app: TestApp, did: string): Promise<void> {
  const res = await app.app.inject({ method: 'DELETE', url: `/api/v1/agents/${did}/slug`, headers: ADMIN });
  assert.equal(res.statusCode, 200, res.body);
}

async function batch(app: TestApp, tokens: readonly string[], agentId: string): Promise<(string | undefined)[]> {
  const requests = tokens.map((token) => ({ token, agentId, resource: 'payments:invoices', action: 'read' }));
  const res = await post(app.app, '/v1/intercept/batch', { requests });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return (res.body.results as Array<{ code?: string }>).map((r) => r.code);
}

eachEngine(
  'slug released, then agent revoked: its tokens, batched and delegated, are denied AGENT_REVOKED',
  async ({ open }) => {
    const storage = await open();
    const app = await setup(storage);
    try {
      const reg = await genesis(app);
      const agent = await registerAgent(app, { slug: SLUG });
      const plain = await adminToken(app, SLUG);
      const bound = await boundToken(app, reg.issuers.acme!, SLUG);
      const root = await adminToken(app, SLUG, { resource: 'payments:*', action: '*' });
      const child = await post(app.app, '/v1/tokens/delegate', { token: root.token, resource: 'payments:invoices' });
      assert.equal(child.status, 201, JSON.stringify(child.body));
      const childToken = child.body.token as string;
      for (const t of [plain.token, bound.token, childToken]) {
        assert.deepEqual(await intercept(app.app, t, SLUG), { decision: 'allow' });
      }

      await releaseSlug(app, agent.did);
      await revokeAgent(app, agent.did);
      for (const t of [plain.token, bound.token, root.token, childToken]) {
        const d = await intercept(app.app, t, SLUG);
        assert.equal(d.decision, 'deny');
        assert.equal(d.code, 'AGENT_REVOKED', JSON.stringify(d));
      }
      assert.deepEqual(await batch(app, [plain.token, bound.token, childToken], SLUG), [
        'AGENT_REVOKED',
        'AGENT_REVOKED',
        'AGENT_REVOKED',
      ]);
      const again = await post(app.app, '/v1/tokens/delegate', { token: root.token, resource: 'payments:invoices' });
      assert.equal(again.status, 403);
      assert.equal(again.body.code, 'AGENT_REVOKED');
    } finally {
      await app.app.close();
    }
  },
);

eachEngine(
  'a slug taken by another agent does not carry the first agent’s tokens: SUBJECT_MISMATCH',
  async ({ open }) => {
    const storage = await open();
    const app = await setup(storage);
    try {
      const reg = await genesis(app);
      const first = await registerAgent(app, { slug: SLUG });
      const plain = await adminToken(app, SLUG, { resource: 'payments:*', action: '*' });
      const bound = await boundToken(app, reg.issuers.acme!, SLUG);
      assert.deepEqual(await intercept(app.app, plain.token, SLUG), { decision: 'allow' });

      // Released: the slug names no agent, so nothing may act under it on the first agent's tokens.
      await releaseSlug(app, first.did);
      assert.equal((await intercept(app.app, plain.token, SLUG)).code, 'SUBJECT_MISMATCH');

      // Taken by another agent (active, unlike the first, which stays active too).
      await registerAgent(app, { slug: SLUG });
      for (const t of [plain.token, bound.token]) {
        const d = await intercept(app.app, t, SLUG);
        assert.equal(d.decision, 'deny');
        assert.equal(d.code, 'SUBJECT_MISMATCH', JSON.stringify(d));
      }
      assert.deepEqual(await batch(app, [plain.token, bound.token], SLUG), ['SUBJECT_MISMATCH', 'SUBJECT_MISMATCH']);
      const child = await post(app.app, '/v1/tokens/delegate', { token: plain.token, resource: 'payments:invoices' });
      assert.equal(child.status, 403);
      assert.equal(child.body.code, 'SUBJECT_MISMATCH');

      // The new holder's own tokens work; revoking the first agent now denies its tokens AGENT_REVOKED.
      const own = await adminToken(app, SLUG);
      assert.deepEqual(await intercept(app.app, own.token, SLUG), { decision: 'allow' });
      await revokeAgent(app, first.did);
      assert.equal((await intercept(app.app, plain.token, SLUG)).code, 'AGENT_REVOKED');
      assert.deepEqual(await intercept(app.app, own.token, SLUG), { decision: 'allow' });
    } finally {
      await app.app.close();
    }
  },
);

eachEngine(
  'tokens for agents that are not Vouch agents keep working until a Vouch agent takes the name',
  async ({ open }) => {
    const storage = await open();
    const app = await setup(storage);
    try {
      const reg = await genesis(app);
      const external = 'agent:partner:v1'; // never a Vouch reference
      const slugLike = 'partner-bot'; // a slug no Vouch agent holds (yet)
      const tokens = [
        [await adminToken(app, external), external],
        [await boundToken(app, reg.issuers.acme!, external), external],
        [await adminToken(app, slugLike), slugLike],
      ] as const;
      for (const [t, agentId] of tokens)
        assert.deepEqual(await intercept(app.app, t.token, agentId), { decision: 'allow' });

      await registerAgent(app, { slug: slugLike });
      assert.deepEqual(await intercept(app.app, tokens[0][0].token, external), { decision: 'allow' });
      assert.deepEqual(await intercept(app.app, tokens[1][0].token, external), { decision: 'allow' });
      assert.equal((await intercept(app.app, tokens[2][0].token, slugLike)).code, 'SUBJECT_MISMATCH');
    } finally {
      await app.app.close();
    }
  },
);

eachEngine(
  'migration 0009 backfills the agent each existing token names (DID, id, slug), null otherwise',
  async ({ open, engine }) => {
    const storage = await open();
    const app = await setup(storage);
    try {
      const agent = await registerAgent(app, { slug: SLUG });
      const id = agent.did.slice('did:identity:'.length);
      const root = await adminToken(app, SLUG, { resource: 'payments:*' });
      const child = await post(app.app, '/v1/tokens/delegate', { token: root.token });
      assert.equal(child.status, 201, JSON.stringify(child.body));
      const ids = [
        (await adminToken(app, agent.did)).tokenId,
        (await adminToken(app, id)).tokenId,
        root.tokenId,
        child.body.tokenId as string,
        (await adminToken(app, 'agent:partner:v1')).tokenId,
        (await adminToken(app, 'partner-bot')).tokenId,
      ];
      const recorded = async () => {
        const rows = await storage.db
          .selectFrom('capability_tokens')
          .select(['jti', 'vouch_agent_id'])
          .where('jti', 'in', ids)
          .execute();
        return ids.map((jti) => rows.find((r) => r.jti === jti)?.vouch_agent_id);
      };
      const expected = [id, id, id, id, null, null];
      assert.deepEqual(await recorded(), expected, 'recorded at issuance');

      // As before the migration: no column. Then the migration again, on these rows.
      await sql`alter table capability_tokens drop column vouch_agent_id`.execute(storage.db);
      await capabilityAgentBinding.up(storage.db as unknown as Kysely<unknown>, engine);
      assert.deepEqual(await recorded(), expected, 'backfilled');
    } finally {
      await app.app.close();
    }
  },
);
