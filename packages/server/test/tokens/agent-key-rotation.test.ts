// An agent's key rotation (the recovery after a compromised host) revokes the agent's live AIP tokens in its
// transaction, whoever issued them, and lists them on the revocation list for offline verifiers.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { agentDirectory, setAgentDirectory } from '../../src/modules/tokens/agents.ts';
import { rotationStatement } from '../../src/modules/agents/auth.ts';
import { newPair, signedInject, signText } from '../agents/helpers.ts';
import type { TestAgent } from './helpers.ts';
import { issue, post, proofBody, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

async function rotateAgentKey(t: TestApp, agent: TestAgent) {
  const next = await newPair();
  const at = t.clock.now();
  const statement = rotationStatement(agent.did, agent.key.publicKeyBase64!, next.publicKeyBase64!, at);
  const body = { newPublicKey: next.publicKeyBase64!, newKeySignature: await signText(next, statement) };
  const url = `/api/v1/agents/${agent.did}/rotate-key`;
  const res = await signedInject(t.app, agent.key, agent.did, 'POST', url, body, at);
  assert.equal(res.statusCode, 200, res.body);
  return { next: { did: agent.did, key: next } as TestAgent, body: res.json() as { tokensRevoked?: number } };
}

async function issueByProof(t: TestApp, agent: TestAgent): Promise<{ token: string; jti: string }> {
  const res = await post(t, '/api/registry/issue', { ...(await proofBody(t, agent, 'identity')), expires_in: '24h' });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { token: string; jti: string };
}

eachEngine("an agent's key rotation revokes the tokens minted with the old key", async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const bystander = await registerAgent(t);
  // A thief who copied the key mints a 24 h token by the agent's proof; the admin had issued one too.
  const stolen = await issueByProof(t, agent);
  const byAdmin = await issue(t, agent, { expires_in: '12h' });
  const untouched = await issue(t, bystander);
  t.clock.advance(60_000);
  const { next, body } = await rotateAgentKey(t, agent);
  assert.equal(body.tokensRevoked, 2);

  t.clock.advance(3_600_000);
  await rejected(t, { token: stolen.token }, 'TOKEN_REVOKED');
  await rejected(t, { token: byAdmin.token }, 'TOKEN_REVOKED');
  assert.equal((await verify(t, { token: untouched.token })).body.valid, true, "another agent's token");

  // Offline verifiers learn it from the revocation list.
  const list = (await t.app.inject({ method: 'GET', url: '/api/registry/revocations' })).json() as {
    revoked: Array<{ jti: string; reason: string }>;
  };
  assert.deepEqual(list.revoked.map((r) => r.jti).sort(), [stolen.jti, byAdmin.jti].sort());
  assert.ok(list.revoked.every((r) => r.reason === 'agent key rotated'));
  const audit = await t.ctx.storage.db
    .selectFrom('audit_log')
    .select('details')
    .where('action', '=', 'agent.rotate_key')
    .executeTakeFirstOrThrow();
  assert.equal((JSON.parse(audit.details!) as { tokensRevoked: number }).tokensRevoked, 2);

  // The new key's proof issues tokens that verify; the old key's proof no longer issues any.
  const fresh = await issueByProof(t, next);
  assert.equal((await verify(t, { token: fresh.token })).body.valid, true);
  const old = await post(t, '/api/registry/issue', await proofBody(t, agent, 'identity'));
  assert.equal(old.statusCode, 401, old.body);
  // A later rotation revokes only what is still live (the fresh token); with nothing live, the field is absent.
  t.clock.advance(60_000);
  const again = await rotateAgentKey(t, next);
  assert.equal(again.body.tokensRevoked, 1);
  t.clock.advance(60_000);
  assert.equal((await rotateAgentKey(t, again.next)).body.tokensRevoked, undefined);
  await t.app.close();
});

eachEngine('a proof checked with the old key while the key is rotated issues nothing', async ({ open }) => {
  const storage = await open();
  const t = await tokenApp(storage);
  const agent = await registerAgent(t);
  const real = agentDirectory(t.ctx);
  let armed = true;
  setAgentDirectory(t.ctx, {
    ...real,
    // The proof checks out with the old key; the rotation commits before the issuing transaction starts.
    async verifySignature(a, message, signature) {
      const ok = await real.verifySignature(a, message, signature);
      if (armed) {
        armed = false;
        await rotateAgentKey(t, agent);
      }
      return ok;
    },
  });
  const before = await tableCounts(storage);
  const res = await post(t, '/api/registry/issue', await proofBody(t, agent, 'identity'));
  assert.equal(res.statusCode, 401, res.body);
  assert.equal((res.json() as { code: string }).code, 'PROOF_INVALID');
  assert.equal((await tableCounts(storage)).issued_tokens, before.issued_tokens, 'no token recorded');
  await t.app.close();
});
