// A removal (or a key rotation) denies every token bound to the issuer until it expires, not only while the issuer
// stays out: governance may re-admit the issuer, or rotate back, with the very key the token recorded (`ikt`), and a
// token from before the removal must not come back to life with it. Tokens issued after the re-admission verify.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { makeIssuers, unsigned } from '../registry/fixtures.ts';
import { boundToken, genesis, govern, intercept, removeIssuer } from './helpers.ts';

const X = 'agent:my-assistant:v1';

eachEngine(
  'an issuer removed, then re-admitted with the same key: its earlier tokens stay denied',
  async ({ open }) => {
    const app = await makeApp(await open());
    try {
      const reg = await genesis(app);
      const before = await boundToken(app, reg.issuers.acme!, X);
      app.clock.advance(1000);
      await removeIssuer(app, reg, 'acme', ['bolt', 'coda', 'dyad']);
      assert.equal((await intercept(app.app, before.token, X)).code, 'ISSUER_REVOKED');

      app.clock.advance(1000);
      await govern(app, reg, { action: 'add', entry: unsigned(reg.issuers.acme!.entry) }, ['bolt', 'coda', 'dyad']);
      assert.equal(
        (await intercept(app.app, before.token, X)).code,
        'ISSUER_REVOKED',
        'not revived by the re-admission',
      );

      app.clock.advance(1000);
      const after = await boundToken(app, reg.issuers.acme!, X);
      assert.deepEqual(await intercept(app.app, after.token, X), { decision: 'allow' });
      const child = await boundToken(app, reg.issuers.acme!, X, { resource: 'payments:*' });
      assert.deepEqual(await intercept(app.app, child.token, X, 'payments:invoices:1'), { decision: 'allow' });
    } finally {
      await app.app.close();
    }
  },
);

eachEngine('an issuer key rotated away and back: tokens from before the rotation stay denied', async ({ open }) => {
  const app = await makeApp(await open());
  try {
    const reg = await genesis(app);
    const original = reg.issuers.acme!;
    const before = await boundToken(app, original, X);
    const entry = unsigned(original.entry);
    app.clock.advance(1000);
    const fresh = Object.values(await makeIssuers(['acme']))[0]!;
    const rotated = { ...entry, publicKey: fresh.pair.publicKeyRegistry! };
    await govern(app, reg, { action: 'update', subject: 'acme', entry: rotated }, ['bolt', 'coda', 'dyad']);
    assert.equal((await intercept(app.app, before.token, X)).code, 'ISSUER_KEY_ROTATED');

    app.clock.advance(1000);
    await govern(app, reg, { action: 'update', subject: 'acme', entry }, ['bolt', 'coda', 'dyad']);
    assert.equal(
      (await intercept(app.app, before.token, X)).code,
      'ISSUER_KEY_ROTATED',
      'not revived by rotating back',
    );

    app.clock.advance(1000);
    const after = await boundToken(app, original, X);
    assert.deepEqual(await intercept(app.app, after.token, X), { decision: 'allow' });
  } finally {
    await app.app.close();
  }
});
