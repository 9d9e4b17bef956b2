// An `update` that keeps the issuer's key (a new endpoint) is no lapse of that key (found by mutation testing: nothing
// noticed the lapse replay record every update, whatever its key): the issuer's earlier tokens stay allowed and its
// earlier credentials still buy tokens. Only a removal or a rotation away ends them (issuer-readmitted.test.ts).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { unsigned } from '../registry/fixtures.ts';
import { boundToken, credential, genesis, govern, intercept, issue } from './helpers.ts';

const X = 'agent:my-assistant:v1';

eachEngine('an update that keeps the issuer key leaves its earlier tokens and credentials good', async ({ open }) => {
  const app = await makeApp(await open());
  try {
    const reg = await genesis(app);
    const token = await boundToken(app, reg.issuers.acme!, X);
    const early = await credential(app, reg.issuers.acme!, X);
    app.clock.advance(1000);
    const entry = unsigned(reg.issuers.acme!.entry);
    const moved = { ...entry, endpoint: `${entry.endpoint.replace(/\/$/, '')}/v2` };
    await govern(app, reg, { action: 'update', subject: 'acme', entry: moved }, ['bolt', 'coda', 'dyad']);

    app.clock.advance(1000);
    assert.deepEqual(await intercept(app.app, token.token, X), { decision: 'allow' });
    const res = await issue(app.app, {
      agentId: X,
      resource: 'payments:invoices',
      action: 'read',
      issuerBinding: { issuerId: 'acme', agentCredential: early },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  } finally {
    await app.app.close();
  }
});
