// An owner API key rotated while a token request it authenticated has not yet acted: "the old secret stops at once,
// also for a request it authenticated that has not yet acted" (docs/PROTOCOL.md, "Replacing credentials"). A thief
// holding the leaked key must not get a token (up to 24 h of access) nor revoke the agent's tokens after the owner
// rotated it. The rotation runs through a second app on the same database, right after the authenticator found the
// old key live.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { tableCounts, twoProcesses } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { OWNER_KEY_LOOKUP } from '../agents/race-helpers.ts';
import { createOwner, issue, post, registerAgent, ISS } from './helpers.ts';
import type { TestOwner } from './helpers.ts';

const ENV = { VOUCH_PUBLIC_URL: ISS, VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent' };

/** Rotates the owner's key through `other` right after `t`'s next owner-key lookup. */
function rotateInFlight(t: TestApp, other: TestApp, owner: TestOwner): () => LightMyRequestResponse | undefined {
  let rotation: LightMyRequestResponse | undefined;
  afterNextPoolQuery(t.ctx.storage.db, OWNER_KEY_LOOKUP, async () => {
    rotation = await post(other, '/api/v1/owners/me/rotate-key', undefined, owner.headers);
  });
  return () => rotation;
}

eachEngine(
  'a token asked for with an owner key rotated while the request was in flight is not issued',
  async ({ open }) => {
    const { a, b, storage } = await twoProcesses(open, ENV);
    try {
      const owner = await createOwner(a);
      const agent = await registerAgent(a, { owner });
      const before = await tableCounts(storage);
      const rotation = rotateInFlight(a, b, owner);
      const res = await post(a, '/api/registry/issue', { agent_name: agent.did }, owner.headers);
      assert.equal(rotation()?.statusCode, 200, 'the rotation ran in between');
      assert.equal(res.statusCode, 401, `a token was issued after the rotation: ${res.body}`);
      assert.equal((res.json() as { code: string }).code, 'UNAUTHORIZED');
      const after = await tableCounts(storage);
      assert.equal(after.issued_tokens, before.issued_tokens, 'no token recorded');
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);

eachEngine('a revocation sent with an owner key rotated while it was in flight does not act', async ({ open }) => {
  const { a, b, storage } = await twoProcesses(open, ENV);
  try {
    const owner = await createOwner(a);
    const agent = await registerAgent(a, { owner });
    const { jti } = await issue(a, agent);
    const before = await tableCounts(storage);
    const rotation = rotateInFlight(a, b, owner);
    const res = await post(a, '/api/registry/revoke', { jti }, owner.headers);
    assert.equal(rotation()?.statusCode, 200, 'the rotation ran in between');
    assert.equal(res.statusCode, 401, `the revocation acted after the rotation: ${res.body}`);
    assert.equal((res.json() as { code: string }).code, 'UNAUTHORIZED');
    assert.equal((await tableCounts(storage)).token_revocations, before.token_revocations, 'nothing revoked');
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
