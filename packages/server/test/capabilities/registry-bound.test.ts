// The issue's end-to-end story with real keys, on both engines: five issuers (threshold 3); acme vouches for agent X;
// X gets a token and is allowed; acme is removed by governance and X is denied ISSUER_REVOKED at once; bolt rotates
// its key by governance and bolt's old tokens deny ISSUER_KEY_ROTATED, while new ones verify again. Delegating from a
// token so denied is refused with the same code (403), writing nothing.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { post } from '../registry/fixtures.ts';
import { boundToken, genesis, intercept, issue, credential, removeIssuer, rotateIssuerKey } from './helpers.ts';

const X = 'agent:my-assistant:v1';
const Y = 'agent:bookkeeper:v2';

eachEngine(
  'registry-bound tokens follow governance: removal → ISSUER_REVOKED, rotation → ISSUER_KEY_ROTATED',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const reg = await genesis(app);
      const { acme, bolt } = reg.issuers as Record<string, NonNullable<(typeof reg.issuers)[string]>>;
      const x = await boundToken(app, acme!, X);
      const y = await boundToken(app, bolt!, Y);
      assert.deepEqual(await intercept(app.app, x.token, X), { decision: 'allow' });
      assert.deepEqual(await intercept(app.app, y.token, Y), { decision: 'allow' });

      // acme removed by a quorum of three others: denied as soon as the gateway holds the new sequence.
      app.clock.advance(1000);
      await removeIssuer(app, reg, 'acme', ['bolt', 'coda', 'dyad']);
      const revoked = await intercept(app.app, x.token, X);
      assert.equal(revoked.decision, 'deny');
      assert.equal(revoked.code, 'ISSUER_REVOKED');
      // ...and no new token can be had from acme's credential.
      const again = await issue(app.app, {
        agentId: X,
        resource: 'payments:invoices',
        action: 'read',
        issuerBinding: { issuerId: 'acme', agentCredential: await credential(app, acme!, X) },
      });
      assert.equal(again.status, 403);
      assert.equal(again.body.code, 'ISSUER_REVOKED');

      // bolt rotates its key by governance: its old tokens (and credentials) are invalid.
      const oldBolt = bolt!;
      await rotateIssuerKey(app, reg, 'bolt', ['coda', 'dyad', 'echo']);
      const rotated = await intercept(app.app, y.token, Y);
      assert.equal(rotated.decision, 'deny');
      assert.equal(rotated.code, 'ISSUER_KEY_ROTATED');
      // No other test delegated from a parent denied ISSUER_KEY_ROTATED: with the code missing from the delegate's
      // deny-to-error map, it answered 403 FORBIDDEN and every test still passed.
      for (const [token, code] of [
        [x.token, 'ISSUER_REVOKED'],
        [y.token, 'ISSUER_KEY_ROTATED'],
      ] as const) {
        const before = await tableCounts(storage);
        const child = await post(app.app, '/v1/tokens/delegate', { token });
        assert.deepEqual([child.status, child.body.code], [403, code], JSON.stringify(child.body));
        assert.deepEqual(await tableCounts(storage), before, `${code}: nothing written`);
      }
      const oldCredential = await issue(app.app, {
        agentId: Y,
        resource: 'payments:invoices',
        action: 'read',
        issuerBinding: { issuerId: 'bolt', agentCredential: await credential(app, oldBolt, Y) },
      });
      assert.equal(oldCredential.status, 401);
      assert.equal(oldCredential.body.code, 'CREDENTIAL_INVALID');
      const fresh = await boundToken(app, reg.issuers.bolt!, Y);
      assert.deepEqual(await intercept(app.app, fresh.token, Y), { decision: 'allow' });
    } finally {
      await app.app.close();
    }
  },
);
