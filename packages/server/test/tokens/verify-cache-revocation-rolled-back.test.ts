// A revocation whose transaction rolls back after taking its sequence number (a failed statement, a deadlock answered
// 503) must not leave this process's verify cache waiting for that number (local-revocations.ts): nothing commits it
// until another revocation takes it again, and meanwhile every verification read the revocation list. Held for the
// three transactions that take numbers: a token's revocation, an agent's, and an agent's key rotation (both revoke its
// live tokens). Counted through verifyToken, the clock standing still, the change feed silent (countQueries).
//
// The watermark is process-wide, so the other engine's variant shares it: no test here commits a revocation.
import assert from 'node:assert/strict';
import type { RootOperationNode } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { countQueries, selectsFrom } from '../helpers/query-count.ts';
import { pausingAfterInsert } from '../helpers/interleave.ts';
import type { TestApp } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';
import { verifyToken } from '../../src/modules/tokens/service.ts';
import { rotationStatement } from '../../src/modules/agents/auth.ts';
import { newPair, signedInject, signText } from '../agents/helpers.ts';
import { ADMIN, issue, post, registerAgent, tokenApp } from './helpers.ts';

/** `storage` whose first revocation row fails to insert: its transaction has taken its number, and rolls back. */
function failingFirstRevocation(storage: Storage): Storage {
  return pausingAfterInsert(storage, 'token_revocations', () => Promise.reject(new Error('injected failure')));
}

/** After one verification (which may read what the rollback changed), three more read nothing. */
async function assertWarm(t: TestApp, reads: { counted(): number }, token: string): Promise<void> {
  await verifyToken(t.ctx, token);
  const before = reads.counted();
  for (let i = 0; i < 3; i++) await verifyToken(t.ctx, token);
  assert.equal(reads.counted() - before, 0, 'verification reads nothing once warm');
}

async function setUp(open: () => Promise<Storage>) {
  const reads = countQueries(failingFirstRevocation(await open()), (node: RootOperationNode) =>
    selectsFrom(node, 'token_revocations'),
  );
  const t = await tokenApp(reads.storage);
  const agent = await registerAgent(t);
  const { token, jti } = await issue(t, agent);
  await assertWarm(t, reads, token);
  return { t, reads, agent, token, jti };
}

eachEngine("a token's revocation rolled back leaves verification cached", async ({ open }) => {
  const { t, reads, token, jti } = await setUp(open);
  try {
    assert.equal((await post(t, '/api/registry/revoke', { jti }, ADMIN)).statusCode, 500);
    await assertWarm(t, reads, token);
  } finally {
    await t.app.close();
  }
});

eachEngine("an agent's revocation rolled back leaves verification cached", async ({ open }) => {
  const { t, reads, agent, token } = await setUp(open);
  try {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/agents/${agent.did}/revoke`, headers: ADMIN });
    assert.equal(res.statusCode, 500);
    await assertWarm(t, reads, token);
  } finally {
    await t.app.close();
  }
});

eachEngine("an agent's key rotation rolled back leaves verification cached", async ({ open }) => {
  const { t, reads, agent, token } = await setUp(open);
  try {
    const next = await newPair();
    const at = t.clock.now();
    const statement = rotationStatement(agent.did, agent.key.publicKeyBase64!, next.publicKeyBase64!, at);
    const body = { newPublicKey: next.publicKeyBase64!, newKeySignature: await signText(next, statement) };
    const url = `/api/v1/agents/${agent.did}/rotate-key`;
    assert.equal((await signedInject(t.app, agent.key, agent.did, 'POST', url, body, at)).statusCode, 500);
    await assertWarm(t, reads, token);
  } finally {
    await t.app.close();
  }
});
