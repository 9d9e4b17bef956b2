// An agent's key rotation at one process, seen by another on the same PostgreSQL: the rotation revokes the agent's
// tokens in its transaction (revokeTokensOfAgent), which announces `revocations` as it commits, so the other process
// forgets its cached agent and refuses the agent's tokens at once instead of after its caches' bounds (1 s, 250 ms).
// The old key's signatures are refused everywhere as the rotation commits: every check of an agent's key reads the
// agent's row. The apps share a pinned clock that never moves, so no cache expires here.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { BOUND_MS, within } from '../helpers/within.ts';
import { listenerHears } from '../helpers/listening.ts';
import type { TestApp } from '../helpers/app.ts';
import { rotationStatement } from '../../src/modules/agents/auth.ts';
import { newPair, signedInject, signText } from '../agents/helpers.ts';
import type { TestAgent } from '../tokens/helpers.ts';
import { post, proofBody, registerAgent, twoTokenApps, verify } from '../tokens/helpers.ts';

async function issueByProof(t: TestApp, agent: TestAgent): Promise<{ token: string }> {
  const res = await post(t, '/api/registry/issue', await proofBody(t, agent, 'identity'));
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { token: string };
}

eachEngine(
  "an agent's key rotation at A: B refuses the agent's tokens and its old key at once (PostgreSQL: LISTEN/NOTIFY)",
  async ({ open, engine }) => {
    const [a, b] = await twoTokenApps(open);
    try {
      const agent = await registerAgent(a);
      const old = await issueByProof(a, agent);
      // B has cached the agent and accepts its token.
      assert.equal((await verify(b, { token: old.token })).status, 200);
      // B's listener connects on its own time after B starts: until its LISTEN is in, an announcement reaches no one
      // (B would hear only "everything" later).
      if (engine === 'postgres') await listenerHears(b.ctx.storage);

      const heard: string[] = [];
      const off = b.ctx.storage.changes.subscribe((topic) => heard.push(topic));
      const next = await newPair();
      try {
        const at = a.clock.now();
        const statement = rotationStatement(agent.did, agent.key.publicKeyBase64!, next.publicKeyBase64!, at);
        const body = { newPublicKey: next.publicKeyBase64!, newKeySignature: await signText(next, statement) };
        const url = `/api/v1/agents/${agent.did}/rotate-key`;
        const res = await signedInject(a.app, agent.key, agent.did, 'POST', url, body, at);
        assert.equal(res.statusCode, 200, res.body);
        if (engine === 'sqlite') return; // One process per SQLite file: nothing to announce.
        // The rotation is announced to every process as it commits.
        await within(BOUND_MS, 'the rotation is announced', async () => heard.includes('revocations'));
      } finally {
        off();
      }

      await within(BOUND_MS, 'B refuses the token of the rotated agent', async () => {
        const r = await verify(b, { token: old.token });
        return r.status === 401 && r.body.code === 'TOKEN_REVOKED';
      });
      // The old key's proof issues nothing at B; the new key's does, and its token verifies there.
      const byOldKey = await post(b, '/api/registry/issue', await proofBody(b, agent, 'identity'));
      assert.equal(byOldKey.statusCode, 401, byOldKey.body);
      const fresh = await issueByProof(b, { did: agent.did, key: next });
      assert.equal((await verify(b, { token: fresh.token })).status, 200);
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);
