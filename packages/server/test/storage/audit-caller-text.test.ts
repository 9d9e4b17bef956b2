// Caller-written text goes into audit entries (a revocation's reason, a capability's resource). The audit guard keeps
// token-shaped and PEM-shaped values out of the log; such a value written by the caller must be kept out by
// redaction, not by failing the caller's request with a 500 after it was checked and accepted.
import assert from 'node:assert/strict';
import { listAudit } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, registerPow, TEST_ENV } from '../agents/helpers.ts';

const JWT_SHAPED = 'eyJhbGci.eyJzdWIi.c2lnbmF0dXJl';

eachEngine('token-shaped caller text in audited requests is redacted, not a 500', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    // An agent revoked with a reason shaped like a JWT.
    const agent = await registerPow(app);
    const revoked = await app.inject({
      method: 'POST',
      url: `/api/v1/agents/${agent.did}/revoke`,
      headers: admin,
      payload: { reason: JWT_SHAPED },
    });
    assert.equal(revoked.statusCode, 200, revoked.body);

    // A capability issued by the admin for a resource shaped like a JWT (dots are allowed in resource segments),
    // then revoked with such a reason.
    const issued = await app.inject({
      method: 'POST',
      url: '/v1/tokens',
      headers: admin,
      payload: { agentId: 'agent:x', resource: JWT_SHAPED, action: 'read', tier: 'standard', expiresIn: 600 },
    });
    assert.equal(issued.statusCode, 201, issued.body);
    const { tokenId } = issued.json() as { tokenId: string };
    const capRevoked = await app.inject({
      method: 'POST',
      url: '/v1/tokens/revoke',
      headers: admin,
      payload: { tokenId, reason: JWT_SHAPED },
    });
    assert.equal(capRevoked.statusCode, 200, capRevoked.body);

    const entries = await listAudit(storage.db);
    const text = JSON.stringify(entries);
    assert.ok(!text.includes(JWT_SHAPED), 'the token-shaped text is not in the audit log');
    const byAction = (a: string) => entries.find((e) => e.action === a)?.details;
    assert.equal(byAction('agent.revoke')?.reason, '[redacted]');
    assert.equal(byAction('capability.issue')?.res, '[redacted]');
    assert.equal(byAction('capability.revoke')?.reason, '[redacted]');
  } finally {
    await app.close();
  }
});
