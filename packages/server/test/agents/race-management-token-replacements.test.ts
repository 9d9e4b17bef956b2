// Replacements of one agent's management token at once, from two processes (two storages on one database): the
// owner's and the admin's rotate-management-token, and the agent's key rotation (which replaces a live token too).
// They take turns on the agent's row, so exactly one token is left live, it is the one the last of them answered,
// and each audit entry counts the one token it revoked. On PostgreSQL the order is forced: a third session holds the
// agent's row while the three queue for it, so all three are in flight together.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { listAudit } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { blockedBehind } from '../helpers/interleave.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, bearer, claimAgent, createOwner, newPair, registerSlug, rotateKey, TEST_ENV } from './helpers.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

eachEngine('three replacements of one management token at once leave exactly one live token', async (ctx) => {
  const s1 = await ctx.open();
  const s2 = await ctx.open();
  const a = await makeApp(s1, { env: TEST_ENV });
  const b = await makeApp(s2, { env: TEST_ENV, kek: a.kek, clock: a.clock });
  try {
    const pair = await newPair();
    const next = await newPair();
    const agent = await registerSlug(a.app, 'replaced-thrice', { public_key_pem: pair.publicKeyBase64 });
    const owner = await createOwner(a.app, 'acme');
    await claimAgent(a.app, owner, agent.body.claim_token);
    const url = `/api/v1/agents/${agent.did}/rotate-management-token`;
    const at = a.clock.now();
    const requests: Array<() => Promise<LightMyRequestResponse>> = [
      () => a.app.inject({ method: 'POST', url, headers: bearer(owner.apiKey) }),
      () => b.app.inject({ method: 'POST', url, headers: admin }),
      async () => rotateKey(b.app, agent.did, pair, next, at),
    ];
    let answers: LightMyRequestResponse[];
    if (ctx.engine !== 'postgres') {
      answers = await Promise.all(requests.map((r) => r()));
    } else {
      answers = await s1.db.connection().execute(async (conn) => {
        await sql`begin`.execute(conn);
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn);
        const holder = rows[0]!.pid;
        await sql`select id from agents where id = ${agent.id} for update`.execute(conn);
        const pending: Array<Promise<LightMyRequestResponse>> = [];
        for (const [i, r] of requests.entries()) {
          pending.push(r());
          await blockedBehind(s1.db, holder, i + 1);
        }
        await sql`commit`.execute(conn);
        return Promise.all(pending);
      });
    }
    for (const r of answers) assert.equal(r.statusCode, 200, r.body);
    const answered = answers.map((r) => (r.json() as { managementToken?: string }).managementToken);
    assert.ok(
      answered.every((t) => t !== undefined),
      'each found a live token to replace',
    );
    const live = await s1.db
      .selectFrom('management_tokens')
      .select('token_hash')
      .where('agent_id', '=', agent.id)
      .where('revoked_at', 'is', null)
      .execute();
    assert.equal(live.length, 1, 'exactly one live token');
    assert.ok(answered.some((t) => sha256(t!) === live[0]!.token_hash));
    const all = await s1.db.selectFrom('management_tokens').select('token_hash').execute();
    assert.equal(all.length, 4, 'the registration token and one per replacement');
    const revokedCounts = [
      ...(await listAudit(s1.db, { action: 'agent.rotate_management_token' })).map((e) => e.details!.revoked),
      ...(await listAudit(s1.db, { action: 'agent.rotate_key' })).map((e) => e.details!.managementTokensRevoked),
    ];
    assert.deepEqual(revokedCounts, [1, 1, 1]);
    if (ctx.engine === 'postgres') {
      // Forced order: the key rotation queued last, so its token is the live one.
      assert.equal(sha256(answered[2]!), live[0]!.token_hash);
    }
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
