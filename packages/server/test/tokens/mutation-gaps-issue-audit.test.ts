// Gaps found by mutation testing in the audit of token issuance: a token the admin or an agent's owner issues leaves
// one `token.issue` entry naming who issued it (`admin`, `owner:<id>`), the token's jti and the request; a refused
// issuance (another owner's agent) leaves none. Read back through the admin audit API.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, createOwner, post, registerAgent, tokenApp } from './helpers.ts';
import type { TestApp } from '../helpers/app.ts';

async function issueAudit(t: TestApp): Promise<Array<[string, string | null, unknown, string | null]>> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit?action=token.issue', headers: ADMIN });
  assert.equal(res.statusCode, 200, res.body);
  const entries = (
    res.json() as {
      entries: Array<{
        actor: string;
        target: string | null;
        details: { sub?: unknown } | null;
        requestId: string | null;
      }>;
    }
  ).entries;
  return entries.map((e) => [e.actor, e.target, e.details?.sub, e.requestId]);
}

const issued = (res: LightMyRequestResponse): [string, string] => {
  assert.equal(res.statusCode, 201, res.body);
  return [(res.json() as { jti: string }).jti, String(res.headers['x-request-id'])];
};

eachEngine(
  'token issuance by the admin or an owner is audited under its issuer; refusals are not',
  async ({ open }) => {
    const t = await tokenApp(await open());
    try {
      const alice = await createOwner(t, 'alice');
      const bob = await createOwner(t, 'bob');
      const mine = await registerAgent(t, { owner: alice });
      const theirs = await registerAgent(t, { owner: bob });

      const [adminJti, adminReq] = issued(await post(t, '/api/registry/issue', { agent_name: mine.did }, ADMIN));
      const [ownerJti, ownerReq] = issued(
        await post(t, '/api/registry/issue', { agent_name: mine.did }, alice.headers),
      );
      const expected = [
        [`owner:${alice.ownerId}`, ownerJti, mine.did, ownerReq],
        ['admin', adminJti, mine.did, adminReq],
      ];
      assert.deepEqual(await issueAudit(t), expected);

      const refused = await post(t, '/api/registry/issue', { agent_name: theirs.did }, alice.headers);
      assert.equal(refused.statusCode, 403, refused.body);
      assert.deepEqual(await issueAudit(t), expected, 'a refused issuance is not audited');
    } finally {
      await t.app.close();
    }
  },
);
