// The audit guard redacted a caller's text holding a JWT or a PEM private key, but not one holding a bearer secret
// this server issues: an agent revoked with the reason "claim token vouch_claim_… was posted in a chat" had that
// claim token stored in the audit log and served by GET /api/v1/admin/audit (an owner's API key, a management
// token, a linking key or an integrator key likewise). Such a value is stored as [redacted] now.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSecret, SECRET_PREFIX } from '../../src/modules/agents/ids.ts';
import { INTEGRATOR_KEY_PREFIX } from '../../src/modules/integrators/service.ts';
import { serializeAuditDetails } from '../../src/storage/lib/secret-guard.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { registerPow, TEST_ENV } from '../agents/helpers.ts';
import { revokedReason } from './audit-reason.ts';

const BODY = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdE';

eachEngine(
  'a caller text holding a bearer secret this server issues is redacted in the audit log',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: TEST_ENV });
    try {
      const first = await registerPow(app);
      assert.ok(first.claimToken?.startsWith('vouch_claim_'), 'an unlinked agent gets a claim token');
      const reasons = [
        `claim token ${first.claimToken} was posted in a chat`,
        `vouch_owner_${BODY}`,
        `mgmt=vouch_mgmt_${BODY};`,
        `(vouch_link_${BODY})`,
        `integrator key vik_${BODY}`,
      ];
      for (const reason of reasons) {
        const { stored, page } = await revokedReason(app, reason);
        assert.ok(!page.includes(BODY) && !page.includes(first.claimToken!), `no secret in the audit log: ${reason}`);
        assert.equal(stored, '[redacted]', reason);
      }
    } finally {
      await app.close();
    }
  },
);

eachEngine('text naming a secret kind without one is kept as written', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const reason =
      'its vouch_mgmt_ token leaked; see vik_ rotation and my_vouch_owner_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdE';
    assert.equal((await revokedReason(app, reason)).stored, reason);
  } finally {
    await app.close();
  }
});

test('every kind of bearer secret the server issues is redacted (a new prefix must be added to the guard)', () => {
  for (const prefix of [...Object.values(SECRET_PREFIX), INTEGRATOR_KEY_PREFIX]) {
    const secret = newSecret(prefix);
    assert.deepEqual(
      serializeAuditDetails({ reason: `leaked: ${secret}.` }),
      { json: '{"reason":"[redacted]"}' },
      prefix,
    );
  }
});
