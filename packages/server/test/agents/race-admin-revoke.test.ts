// The admin's revocation of an agent racing what its owner, its management token or the agent itself does to it, in
// two processes (two storages on one database). A revocation is for good: what queued behind it does not act
// (AGENT_REVOKED, or a clean 4xx), and however many revocations race, one is recorded (one audit entry, one
// revoked_at). On PostgreSQL the order is forced: a third session holds the agent's row while the admin's revocation
// and then the other request queue for it; SQLite runs one writing transaction at a time, so there they only take
// turns.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { listAudit } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { blockedBehind } from '../helpers/interleave.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { admin, bearer, codeOf, createOwner, newPair, registerSlug, signedInject, TEST_ENV } from './helpers.ts';
import type { SlugAgent } from './helpers.ts';

/** Runs `first` and then `rest` queued behind a session holding the agent's row (PostgreSQL), or all at once. */
async function queued(
  storage: Storage,
  engine: string,
  agentId: string,
  first: () => Promise<LightMyRequestResponse>,
  rest: Array<() => Promise<LightMyRequestResponse>>,
): Promise<LightMyRequestResponse[]> {
  if (engine !== 'postgres') return Promise.all([first(), ...rest.map((r) => r())]);
  return storage.db.connection().execute(async (conn) => {
    await sql`begin`.execute(conn);
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn);
    const holder = rows[0]!.pid;
    await sql`select id from agents where id = ${agentId} for update`.execute(conn);
    const answers = [first()];
    await blockedBehind(storage.db, holder, 1);
    for (const [i, r] of rest.entries()) {
      answers.push(r());
      await blockedBehind(storage.db, holder, i + 2);
    }
    await sql`commit`.execute(conn);
    return Promise.all(answers);
  });
}

interface World {
  a: FastifyInstance;
  b: FastifyInstance;
  s1: Storage;
  agent: SlugAgent;
  pair: Awaited<ReturnType<typeof newPair>>;
  owner: { apiKey: string; ownerId: string };
  close(): Promise<void>;
}

async function world(open: () => Promise<Storage>, slug: string): Promise<World> {
  const s1 = await open();
  const s2 = await open();
  const a = await makeApp(s1, { env: TEST_ENV });
  const b = await makeApp(s2, { env: TEST_ENV, kek: a.kek, clock: a.clock });
  const pair = await newPair();
  const agent = await registerSlug(a.app, slug, { public_key_pem: pair.publicKeyBase64 });
  const owner = await createOwner(a.app, 'acme');
  const claimed = await a.app.inject({
    method: 'POST',
    url: '/api/v1/agents/claim',
    headers: bearer(owner.apiKey),
    payload: { claimToken: agent.body.claim_token },
  });
  assert.equal(claimed.statusCode, 200, claimed.body);
  return {
    a: a.app,
    b: b.app,
    s1,
    agent,
    pair,
    owner,
    async close() {
      await a.app.close();
      await b.app.close();
    },
  };
}

const revokeBy = (app: FastifyInstance, did: string, headers: Record<string, string>, reason: string) => () =>
  app.inject({ method: 'POST', url: `/api/v1/agents/${did}/revoke`, headers, payload: { reason } });

eachEngine('the admin, the owner and the management token revoke one agent at once: recorded once', async (ctx) => {
  const w = await world(ctx.open, 'revoked-thrice');
  try {
    const answers = await queued(w.s1, ctx.engine, w.agent.id, revokeBy(w.b, w.agent.did, admin, 'by the admin'), [
      revokeBy(w.a, w.agent.did, bearer(w.owner.apiKey), 'by the owner'),
      revokeBy(w.b, w.agent.did, bearer(w.agent.managementToken), 'by the token'),
    ]);
    for (const r of answers) assert.equal(r.statusCode, 200, r.body);
    const at = new Set(answers.map((r) => (r.json() as { revokedAt: number }).revokedAt));
    assert.equal(at.size, 1, 'every answer names the one revocation');
    const entries = await listAudit(w.s1.db, { action: 'agent.revoke' });
    assert.equal(entries.length, 1, JSON.stringify(entries));
    const row = await w.s1.db
      .selectFrom('agents')
      .select(['status', 'revoked_by', 'revocation_reason', 'revoked_at'])
      .where('id', '=', w.agent.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'revoked');
    assert.equal(Number(row.revoked_at), [...at][0]);
    // The row and the audit entry name the same revoker.
    assert.equal(entries[0]!.details!.by === 'management-token' ? 'agent' : entries[0]!.details!.by, row.revoked_by);
    assert.equal(entries[0]!.details!.reason, row.revocation_reason);
    if (ctx.engine === 'postgres') assert.equal(row.revoked_by, 'admin', 'forced order: the admin queued first');
  } finally {
    await w.close();
  }
});

type Change = (w: World) => Promise<LightMyRequestResponse>;

/** What the owner, the management token or the agent's signature may do to the agent, each checked afterwards. */
const CHANGES: Record<string, { run: Change; acted: (w: World) => Promise<boolean> }> = {
  "owner replaces the agent's management token": {
    run: (w) =>
      w.a.inject({
        method: 'POST',
        url: `/api/v1/agents/${w.agent.did}/rotate-management-token`,
        headers: bearer(w.owner.apiKey),
      }),
    acted: async (w) =>
      (await w.s1.db.selectFrom('management_tokens').select('token_hash').where('agent_id', '=', w.agent.id).execute())
        .length > 1,
  },
  'owner changes the slug': {
    run: (w) =>
      w.a.inject({
        method: 'PUT',
        url: `/api/v1/agents/${w.agent.did}/slug`,
        headers: bearer(w.owner.apiKey),
        payload: { slug: 'renamed-after' },
      }),
    acted: async (w) =>
      (await w.s1.db.selectFrom('agents').select('slug').where('id', '=', w.agent.id).executeTakeFirstOrThrow())
        .slug === 'renamed-after',
  },
  'management token releases the slug': {
    run: (w) =>
      w.a.inject({
        method: 'DELETE',
        url: `/api/v1/agents/${w.agent.did}/slug`,
        headers: bearer(w.agent.managementToken),
      }),
    acted: async (w) =>
      (await w.s1.db.selectFrom('agents').select('slug').where('id', '=', w.agent.id).executeTakeFirstOrThrow())
        .slug === null,
  },
  'agent signs a tool manifest': {
    run: (w) =>
      signedInject(w.a, w.pair, w.agent.did, 'POST', `/v1/identity/${w.agent.did}/tools`, { tools: ['search'] }, T0),
    acted: async (w) =>
      (await w.s1.db.selectFrom('tool_manifests').select('agent_id').where('agent_id', '=', w.agent.id).execute())
        .length > 0,
  },
  'owner registers a voice fingerprint': {
    run: (w) =>
      w.a.inject({
        method: 'POST',
        url: `/v1/identity/${w.agent.did}/voice-fingerprint`,
        headers: bearer(w.owner.apiKey),
        payload: { fingerprint_hash: 'a'.repeat(64), provider: 'test', sample_count: 3 },
      }),
    acted: async (w) =>
      (await w.s1.db.selectFrom('voice_fingerprints').select('agent_id').where('agent_id', '=', w.agent.id).execute())
        .length > 0,
  },
};

for (const [name, change] of Object.entries(CHANGES)) {
  eachEngine(`the admin's revocation racing: ${name}; it acts first or not at all`, async (ctx) => {
    const w = await world(ctx.open, `raced-agent`);
    try {
      const [revoked, answer] = await queued(w.s1, ctx.engine, w.agent.id, revokeBy(w.b, w.agent.did, admin, 'x'), [
        () => change.run(w),
      ]);
      assert.equal(revoked!.statusCode, 200, revoked!.body);
      assert.ok(answer!.statusCode < 500, `${answer!.statusCode} ${answer!.body}`);
      if (answer!.statusCode === 200) {
        assert.notEqual(ctx.engine, 'postgres', 'forced order: the revocation committed first');
      } else {
        assert.equal(answer!.statusCode, 403, answer!.body);
        assert.equal(codeOf(answer!), 'AGENT_REVOKED');
        assert.equal(await change.acted(w), false, 'the refused change left nothing behind');
      }
    } finally {
      await w.close();
    }
  });
}

eachEngine("the admin's revocation racing the agent's claim: a revoked agent is never claimed", async (ctx) => {
  const s1 = await ctx.open();
  const s2 = await ctx.open();
  const a = await makeApp(s1, { env: TEST_ENV });
  const b = await makeApp(s2, { env: TEST_ENV, kek: a.kek, clock: a.clock });
  try {
    const agent = await registerSlug(a.app, 'claimed-late');
    const owner = await createOwner(a.app, 'acme');
    const claim = () =>
      a.app.inject({
        method: 'POST',
        url: '/api/v1/agents/claim',
        headers: bearer(owner.apiKey),
        payload: { claimToken: agent.body.claim_token },
      });
    const [revoked, claimed] = await queued(s1, ctx.engine, agent.id, revokeBy(b.app, agent.did, admin, 'x'), [claim]);
    assert.equal(revoked!.statusCode, 200, revoked!.body);
    const row = await s1.db
      .selectFrom('agents')
      .select(['status', 'owner_id'])
      .where('id', '=', agent.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'revoked');
    if (claimed!.statusCode === 200) {
      assert.notEqual(ctx.engine, 'postgres', 'forced order: the revocation committed first');
      assert.equal(row.owner_id, owner.ownerId);
    } else {
      assert.equal(claimed!.statusCode, 403, claimed!.body);
      assert.equal(codeOf(claimed!), 'AGENT_REVOKED');
      assert.equal(row.owner_id, null);
      const token = await s1.db.selectFrom('claim_tokens').select('used_at').executeTakeFirstOrThrow();
      assert.equal(token.used_at, null, 'the refused claim spent nothing');
    }
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
