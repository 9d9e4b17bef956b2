// The edge of the lapse rule (found by mutation testing: nothing noticed `<=` turned into `<`, in checkCapability or
// in verifyAgentCredential). A token or credential is stamped in whole seconds; a removal applied in that same second
// may have come after it or before it, so one whose `iat` is not after the removal ("not after": iat * 1000 <=
// appliedAt, docs/PROTOCOL.md "Issue") stays refused when governance re-admits the issuer with the same key.
import assert from 'node:assert/strict';
import { decodeCapabilityToken } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { unsigned } from '../registry/fixtures.ts';
import { boundToken, credential, genesis, govern, intercept, issue, removeIssuer } from './helpers.ts';

const X = 'agent:my-assistant:v1';

eachEngine(
  'an issuer removed in the very millisecond its token and credential were stamped: not revived by re-admission',
  async ({ open }) => {
    const app = await makeApp(await open());
    try {
      const reg = await genesis(app);
      app.clock.advance(1000);
      // Stamped at a whole second, and the removal applied at that same instant.
      assert.equal(app.clock.now() % 1000, 0);
      const token = await boundToken(app, reg.issuers.acme!, X);
      assert.equal(decodeCapabilityToken(token.token).claims.iat * 1000, app.clock.now());
      const early = await credential(app, reg.issuers.acme!, X);
      await removeIssuer(app, reg, 'acme', ['bolt', 'coda', 'dyad']);

      app.clock.advance(1000);
      await govern(app, reg, { action: 'add', entry: unsigned(reg.issuers.acme!.entry) }, ['bolt', 'coda', 'dyad']);
      assert.equal((await intercept(app.app, token.token, X)).code, 'ISSUER_REVOKED');
      const revived = await issue(app.app, {
        agentId: X,
        resource: 'payments:invoices',
        action: 'read',
        issuerBinding: { issuerId: 'acme', agentCredential: early },
      });
      assert.equal(revived.status, 403, JSON.stringify(revived.body));
      assert.equal(revived.body.code, 'ISSUER_REVOKED');
    } finally {
      await app.app.close();
    }
  },
);
