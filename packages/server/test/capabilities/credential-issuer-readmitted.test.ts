// An agent credential signed before its issuer was removed (or before its key rotated away) must not buy capability
// tokens again once governance re-admits the issuer with that key (or rotates back to it): the removal may have been
// for a leak, and the credentials minted before it are exactly the ones nobody can vouch for. Credentials signed
// after the re-admission are issued as usual. Tokens themselves stay denied (issuer-readmitted.test.ts).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { makeIssuers, unsigned } from '../registry/fixtures.ts';
import { credential, genesis, govern, issue, removeIssuer } from './helpers.ts';

const X = 'agent:my-assistant:v1';
const bound = (issuerId: string, agentCredential: string) => ({
  agentId: X,
  resource: 'payments:invoices',
  action: 'read',
  issuerBinding: { issuerId, agentCredential },
});

eachEngine('a credential from before its issuer was removed buys nothing after the re-admission', async ({ open }) => {
  const app = await makeApp(await open());
  try {
    const reg = await genesis(app);
    const before = await credential(app, reg.issuers.acme!, X);
    assert.equal((await issue(app.app, bound('acme', before))).status, 201);
    app.clock.advance(1000);
    await removeIssuer(app, reg, 'acme', ['bolt', 'coda', 'dyad']);
    assert.equal((await issue(app.app, bound('acme', before))).body.code, 'ISSUER_REVOKED');

    app.clock.advance(1000);
    await govern(app, reg, { action: 'add', entry: unsigned(reg.issuers.acme!.entry) }, ['bolt', 'coda', 'dyad']);
    const revived = await issue(app.app, bound('acme', before));
    assert.equal(revived.status, 403, `revived by the re-admission: ${JSON.stringify(revived.body)}`);
    assert.equal(revived.body.code, 'ISSUER_REVOKED');

    app.clock.advance(1000);
    const after = await credential(app, reg.issuers.acme!, X);
    assert.equal((await issue(app.app, bound('acme', after))).status, 201, 'a credential signed since is issued');
  } finally {
    await app.app.close();
  }
});

eachEngine(
  'a credential from before its issuer key rotated away buys nothing after rotating back',
  async ({ open }) => {
    const app = await makeApp(await open());
    try {
      const reg = await genesis(app);
      const original = reg.issuers.acme!;
      const before = await credential(app, original, X);
      const entry = unsigned(original.entry);
      app.clock.advance(1000);
      const fresh = Object.values(await makeIssuers(['acme']))[0]!;
      await govern(
        app,
        reg,
        { action: 'update', subject: 'acme', entry: { ...entry, publicKey: fresh.pair.publicKeyRegistry! } },
        ['bolt', 'coda', 'dyad'],
      );
      assert.equal((await issue(app.app, bound('acme', before))).body.code, 'CREDENTIAL_INVALID');

      app.clock.advance(1000);
      await govern(app, reg, { action: 'update', subject: 'acme', entry }, ['bolt', 'coda', 'dyad']);
      const revived = await issue(app.app, bound('acme', before));
      assert.equal(
        revived.body.code,
        'CREDENTIAL_INVALID',
        `revived by rotating back: ${JSON.stringify(revived.body)}`,
      );

      app.clock.advance(1000);
      const after = await credential(app, original, X);
      assert.equal((await issue(app.app, bound('acme', after))).status, 201);
    } finally {
      await app.app.close();
    }
  },
);
