// Gaps found by mutation testing in the audit of capability tokens: a token the admin issues, and its revocation by
// the admin, each leave one entry naming the admin, the token's id and the request (its x-request-id); a refused
// issuance and a second revocation leave none. Read back through the admin audit API.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const REQ = { agentId: 'agent:my-assistant:v1', resource: 'payments:invoices', action: 'read', tier: 'standard' };

type Row = [action: string, actor: string, target: string | null, requestId: string | null];

async function capabilityAudit(t: TestApp): Promise<Row[]> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: { 'x-api-key': t.adminKey } });
  assert.equal(res.statusCode, 200, res.body);
  return (
    res.json() as { entries: Array<{ action: string; actor: string; target: string | null; requestId: string | null }> }
  ).entries
    .filter((e) => e.action.startsWith('capability.'))
    .map((e) => [e.action, e.actor, e.target, e.requestId]);
}

const requestIdOf = (res: LightMyRequestResponse): string => String(res.headers['x-request-id']);

eachEngine(
  'capability issuance and revocation by the admin are audited as the admin; refusals are not',
  async ({ open }) => {
    const t = await makeApp(await open(), { env: { VOUCH_LOG_LEVEL: 'silent' } });
    try {
      const adminKey = { 'x-api-key': t.adminKey };
      const refused = await t.app.inject({ method: 'POST', url: '/v1/tokens', payload: { ...REQ, expiresIn: 600 } });
      assert.equal(refused.statusCode, 401, refused.body);
      assert.deepEqual(await capabilityAudit(t), []);

      const issued = await t.app.inject({
        method: 'POST',
        url: '/v1/tokens',
        headers: adminKey,
        payload: { ...REQ, expiresIn: 600 },
      });
      assert.equal(issued.statusCode, 201, issued.body);
      const { tokenId } = issued.json() as { tokenId: string };
      const revoke = () =>
        t.app.inject({
          method: 'POST',
          url: '/v1/tokens/revoke',
          headers: adminKey,
          payload: { tokenId, reason: 'leaked' },
        });
      const revoked = await revoke();
      assert.equal(revoked.statusCode, 200, revoked.body);
      const expected: Row[] = [
        ['capability.revoke', 'admin', tokenId, requestIdOf(revoked)],
        ['capability.issue', 'admin', tokenId, requestIdOf(issued)],
      ];
      assert.deepEqual(await capabilityAudit(t), expected);

      const again = await revoke();
      assert.equal((again.json() as { alreadyRevoked: boolean }).alreadyRevoked, true);
      const anonymous = await t.app.inject({ method: 'POST', url: '/v1/tokens/revoke', payload: { tokenId } });
      assert.equal(anonymous.statusCode, 401, anonymous.body);
      assert.deepEqual(await capabilityAudit(t), expected);
    } finally {
      await t.app.close();
    }
  },
);
