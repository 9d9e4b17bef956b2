// The audit guard's redaction of caller text, seen end to end: an agent revoked with a reason, and what the audit log
// serves for it.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { admin, registerPow } from '../agents/helpers.ts';

/**
 * Registers an agent and revokes it with `reason`: the reason its `agent.revoke` audit entry holds (the newest), and
 * the audit page's text as served.
 */
export async function revokedReason(app: FastifyInstance, reason: string): Promise<{ stored: unknown; page: string }> {
  const agent = await registerPow(app);
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/agents/${agent.did}/revoke`,
    headers: admin,
    payload: { reason },
  });
  assert.equal(res.statusCode, 200, res.body);
  const page = await app.inject({ method: 'GET', url: '/api/v1/admin/audit?action=agent.revoke', headers: admin });
  assert.equal(page.statusCode, 200, page.body);
  const [entry] = (page.json() as { entries: Array<{ details: { reason?: unknown } | null }> }).entries;
  return { stored: entry?.details?.reason, page: page.body };
}
