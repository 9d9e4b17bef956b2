// A registry-bound issue checks the issuer in the registry before its record transaction; the issuer's removal,
// committed by another process in between, must still win: the token recorded then is denied everywhere.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import { boundToken, credential, genesis, intercept, issue, removeIssuer } from './helpers.ts';

const X = 'agent:my-assistant:v1';

eachEngine(
  'an issuer removed at another process after the issue checked it: the token is denied everywhere',
  async ({ open }) => {
    const a = await makeApp(await open());
    const b = await makeApp(await open(), { clock: a.clock, kek: a.kek });
    try {
      const reg = await genesis(a);
      await boundToken(a, reg.issuers.acme!, X); // loads the capability key: the next transaction is the record
      const agentCredential = await credential(a, reg.issuers.acme!, X);
      a.clock.advance(1000);
      let removed = false;
      beforeNextTransaction(a.ctx.storage.db, async () => {
        await removeIssuer(b, reg, 'acme', ['bolt', 'coda', 'dyad']);
        removed = true;
      });
      const res = await issue(a.app, {
        agentId: X,
        resource: 'payments:invoices',
        action: 'read',
        issuerBinding: { issuerId: 'acme', agentCredential },
      });
      assert.ok(removed, 'the removal ran between the check and the record');
      if (res.status === 201) {
        for (const app of [a, b]) {
          const d = await intercept(app.app, res.body.token!, X);
          assert.deepEqual([d.decision, d.code], ['deny', 'ISSUER_REVOKED']);
        }
      } else {
        assert.equal(res.body.code, 'ISSUER_REVOKED', JSON.stringify(res.body));
      }
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);
