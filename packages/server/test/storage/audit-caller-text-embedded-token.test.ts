// The audit guard redacted a caller's text only when the whole value was a compact JWT: a revocation reason that
// quoted a bearer token amid words ("leaked in a log: Bearer eyJ…") was stored, and served by GET
// /api/v1/admin/audit, with the token in it. A value holding a compact JWT anywhere is redacted now, as one holding
// a PEM private key already was. The entry still records the revocation; the request still succeeds.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, registerPow, TEST_ENV } from '../agents/helpers.ts';
import { revokedReason } from './audit-reason.ts';

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

eachEngine('a caller text holding a compact JWT among words is redacted in the audit log', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerPow(app);
    const reasons = [`leaked in a log: Bearer ${JWT}`, `${JWT} (pasted by mistake)`, `token=${JWT}&x=1`];
    const revoked = await app.inject({
      method: 'POST',
      url: `/api/v1/agents/${agent.did}/revoke`,
      headers: admin,
      payload: { reason: reasons[0] },
    });
    assert.equal(revoked.statusCode, 200, revoked.body);
    for (const reason of reasons) {
      const issued = await app.inject({
        method: 'POST',
        url: '/v1/tokens',
        headers: admin,
        payload: { agentId: 'agent:x', resource: 'files:a', action: 'read', tier: 'standard', expiresIn: 600 },
      });
      assert.equal(issued.statusCode, 201, issued.body);
      const { tokenId } = issued.json() as { tokenId: string };
      const res = await app.inject({
        method: 'POST',
        url: '/v1/tokens/revoke',
        headers: admin,
        payload: { tokenId, reason },
      });
      assert.equal(res.statusCode, 200, res.body);
    }

    const page = await app.inject({ method: 'GET', url: '/api/v1/admin/audit?limit=500', headers: admin });
    assert.equal(page.statusCode, 200);
    assert.ok(!page.body.includes('eyJzdWIiOiJ4In0'), 'no part of the token is in the audit log');
    const entries = (page.json() as { entries: Array<{ action: string; details: { reason?: unknown } | null }> })
      .entries;
    const reasonsOf = (action: string) => entries.filter((e) => e.action === action).map((e) => e.details?.reason);
    assert.deepEqual(reasonsOf('agent.revoke'), ['[redacted]']);
    assert.deepEqual(reasonsOf('capability.revoke'), ['[redacted]', '[redacted]', '[redacted]']);
  } finally {
    await app.close();
  }
});

eachEngine('text that only looks a little like a token is kept as written', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const reason = 'keyJSON.v2.bak rotated; see ticket eyJ-42';
    assert.equal((await revokedReason(app, reason)).stored, reason);
  } finally {
    await app.close();
  }
});
