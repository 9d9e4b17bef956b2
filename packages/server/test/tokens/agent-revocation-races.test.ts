// An agent's revocation racing the issue of one of its tokens, or the revocation of one of its tokens. Offline
// verifiers learn of a revoked agent only from the revocation list, so every token a verifier could accept must end
// up on it, and the agent's revocation must not fail. The interleavings are forced, not left to chance: a step
// waits inside a transaction until PostgreSQL shows the other request blocked behind it.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { blockedBehind } from '../helpers/interleave.ts';
import { tableCounts } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { agentDirectory, setAgentDirectory } from '../../src/modules/tokens/agents.ts';
import type { Database } from '../../src/storage/index.ts';
import { ADMIN, issue, post, registerAgent, tokenApp } from './helpers.ts';

function revokeAgent(t: TestApp, did: string): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url: `/api/v1/agents/${did}/revoke`, headers: ADMIN, payload: {} });
}

async function backendPid(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
  return rows[0]!.pid;
}

async function listedJtis(t: TestApp): Promise<string[]> {
  const res = await t.app.inject({ method: 'GET', url: '/api/registry/revocations' });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { revoked: Array<{ jti: string }> }).revoked.map((r) => r.jti);
}

eachEngine(
  'an agent revoked while one of its tokens is being issued: that token is revoked too',
  async ({ open, engine }) => {
    const storage = await open();
    const t = await tokenApp(storage);
    const agent = await registerAgent(t);
    const real = agentDirectory(t.ctx);
    let revocation: Promise<LightMyRequestResponse> | undefined;
    setAgentDirectory(t.ctx, {
      ...real,
      // The revocation starts inside the issuing transaction, once the agent's row is held.
      async hold(trx, a, key) {
        const held = await real.hold(trx, a, key);
        revocation = revokeAgent(t, agent.did);
        // PostgreSQL: the revocation's UPDATE waits for this transaction. SQLite runs one writing transaction at a
        // time, so there it waits for the connection, with the same outcome.
        if (engine === 'postgres') await blockedBehind(storage.db, await backendPid(trx), 1);
        return held;
      },
    });
    const issued = await issue(t, agent);
    assert.equal((await revocation!).statusCode, 200);
    assert.ok((await listedJtis(t)).includes(issued.jti), 'the token issued meanwhile is on the revocation list');
    const checked = await post(t, '/api/registry/verify', { token: issued.token });
    assert.equal((checked.json() as { code?: string }).code, 'TOKEN_REVOKED');
    await t.app.close();
  },
);

eachEngine(
  'an agent revoked after the issue checked it, before its transaction: the issue is refused',
  async ({ open }) => {
    const storage = await open();
    const t = await tokenApp(storage);
    const agent = await registerAgent(t);
    const real = agentDirectory(t.ctx);
    let armed = true;
    setAgentDirectory(t.ctx, {
      ...real,
      // The issue reads the agent (not revoked), then the revocation commits before the issuing transaction starts.
      async find(ref) {
        const found = await real.find(ref);
        if (armed) {
          armed = false;
          assert.equal((await revokeAgent(t, agent.did)).statusCode, 200);
        }
        return found;
      },
    });
    const before = await tableCounts(storage);
    const res = await post(t, '/api/registry/issue', { agent_name: agent.did }, ADMIN);
    assert.equal(res.statusCode, 403, res.body);
    assert.equal((res.json() as { code: string }).code, 'AGENT_REVOKED');
    const after = await tableCounts(storage);
    assert.equal(after.issued_tokens, before.issued_tokens, 'no token recorded');
    await t.app.close();
  },
);

eachEngine(
  'an agent revoked while one of its tokens is revoked on its own: both succeed, the token listed once',
  async ({ open, engine, t: test }) => {
    if (engine !== 'postgres') {
      test.skip('SQLite runs one writing transaction at a time: the two cannot overlap');
      return;
    }
    const storage = await open();
    const t = await tokenApp(storage);
    const agent = await registerAgent(t);
    const token = await issue(t, agent);
    const other = await issue(t, agent);
    // A third transaction holds the revocation counter, as any revocation in flight does, while the token's
    // revocation and then the agent's queue behind it in that order.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holder!: number;
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const holderDone = storage.db.transaction().execute(async (trx) => {
      await sql`update token_revocation_seq set value = value`.execute(trx);
      holder = await backendPid(trx);
      holding();
      await released;
    });
    await held;
    const tokenRevocation = post(t, '/api/registry/revoke', { jti: token.jti }, ADMIN);
    await blockedBehind(storage.db, holder, 1);
    const agentRevocation = revokeAgent(t, agent.did);
    await blockedBehind(storage.db, holder, 2);
    release();
    await holderDone;
    const [byToken, byAgent] = await Promise.all([tokenRevocation, agentRevocation]);
    assert.equal(byToken.statusCode, 200, byToken.body);
    assert.equal(byAgent.statusCode, 200, byAgent.body);
    const profile = await t.app.inject({ method: 'GET', url: `/v1/identity/${agent.did}` });
    assert.equal((profile.json() as { status: string }).status, 'revoked');
    const listed = await listedJtis(t);
    assert.deepEqual(listed.filter((j) => j === token.jti || j === other.jti).sort(), [other.jti, token.jti].sort());
    await t.app.close();
  },
);
