// `POST /api/v1/admin/keys/rotate {purpose: "capability", compromised: true}`: a leaked capability key must not verify
// through the day-long grace of a routine rotation. The previous key, and every earlier retired one, is dropped at
// once: their tokens are refused (INVALID_SIGNATURE, no capability key has the kid) at intercept and delegation, and
// offline, vouch-keys.json no longer lists them, and the drop is audited as for a token key.
import assert from 'node:assert/strict';
import { capabilityKeysFromVouchKeys, checkCapability, decodeJwt, type RegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, get, post } from '../registry/fixtures.ts';
import { boundToken, genesis, intercept } from './helpers.ts';

const X = 'agent:my-assistant:v1';

function kidOf(token: string): string {
  return decodeJwt(token).header.kid!;
}

eachEngine(
  'a compromised capability rotation drops the old keys at once: their tokens are refused, the new key works',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const reg = await genesis(app);
      const oldest = await boundToken(app, reg.issuers.acme!, X);
      // A routine rotation first: the leak may be of a key already retired, whose tokens still verify meanwhile.
      app.clock.advance(60_000);
      const routine = await post(app.app, '/api/v1/admin/keys/rotate', { purpose: 'capability' }, admin(app.adminKey));
      assert.equal(routine.status, 201, JSON.stringify(routine.body));
      const previous = await boundToken(app, reg.issuers.acme!, X);
      assert.deepEqual(routine.body.retired, [kidOf(oldest.token)]);
      assert.equal(kidOf(previous.token), routine.body.kid);
      for (const t of [oldest.token, previous.token]) {
        assert.deepEqual(await intercept(app.app, t, X), { decision: 'allow' }, 'routine: both keys still verify');
      }
      const tokenJwks = (await get(app.app, '/.well-known/jwks.json')).body;

      app.clock.advance(60_000);
      const rotated = await post(
        app.app,
        '/api/v1/admin/keys/rotate',
        { purpose: 'capability', compromised: true },
        admin(app.adminKey),
      );
      assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
      assert.equal(rotated.body.purpose, 'capability');
      assert.equal(rotated.body.generation, 3);
      assert.deepEqual(rotated.body.retired, [kidOf(previous.token)]);
      assert.deepEqual(rotated.body.dropped, [kidOf(previous.token), kidOf(oldest.token)]);

      // Refused right after, in this process, with no cache to wait for.
      for (const t of [oldest.token, previous.token]) {
        const d = await intercept(app.app, t, X);
        assert.deepEqual([d.decision, d.code], ['deny', 'INVALID_SIGNATURE']);
      }
      const delegated = await post(app.app, '/v1/tokens/delegate', { token: previous.token });
      assert.deepEqual([delegated.status, delegated.body.code], [401, 'INVALID_SIGNATURE']);

      const fresh = await boundToken(app, reg.issuers.acme!, X);
      assert.equal(kidOf(fresh.token), rotated.body.kid, 'the next token is signed by the new key');
      assert.deepEqual(await intercept(app.app, fresh.token, X), { decision: 'allow' });

      const keys = (await get(app.app, '/.well-known/vouch-keys.json')).body as {
        keys: Array<Record<string, unknown>>;
      };
      assert.deepEqual(
        keys.keys.filter((k) => k.purpose === 'capability').map((k) => [k.kid, k.status]),
        [[rotated.body.kid, 'active']],
        'vouch-keys.json lists only the new capability key',
      );
      const listed = await app.app.inject({ method: 'GET', url: '/api/v1/admin/keys', headers: admin(app.adminKey) });
      assert.deepEqual(
        (listed.json() as { keys: Array<{ kid: string; purpose: string }> }).keys
          .filter((k) => k.purpose === 'capability')
          .map((k) => k.kid),
        [rotated.body.kid],
      );
      // The token keys are another purpose: untouched.
      assert.deepEqual((await get(app.app, '/.well-known/jwks.json')).body, tokenJwks);

      // An offline verifier reading the list now refuses the old tokens too.
      const doc = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
      for (const t of [oldest.token, previous.token, fresh.token]) {
        const offline = await checkCapability(
          t,
          { agentId: X, resource: 'payments:invoices', action: 'read' },
          { resolveKey: capabilityKeysFromVouchKeys(keys), now: app.clock.now(), registry: doc },
        );
        assert.equal(
          offline.decision === 'deny' ? offline.code : 'allow',
          t === fresh.token ? 'allow' : 'INVALID_SIGNATURE',
        );
      }

      const audit = await storage.db
        .selectFrom('audit_log')
        .select(['actor', 'target', 'details'])
        .where('action', '=', 'server_key.drop_compromised')
        .execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.actor, 'admin');
      assert.equal(audit[0]!.target, rotated.body.kid);
      assert.deepEqual(JSON.parse(String(audit[0]!.details)), {
        purpose: 'capability',
        dropped: [kidOf(previous.token), kidOf(oldest.token)],
      });
    } finally {
      await app.app.close();
    }
  },
);

eachEngine('compromised stays refused for the tool-manifest key, whose retired keys stay listed', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  try {
    const manifestKeys = () =>
      storage.db.selectFrom('server_keys').select(['kid', 'status']).where('purpose', '=', 'tool-manifest').execute();
    const before = await manifestKeys();
    const bad = await post(
      app.app,
      '/api/v1/admin/keys/rotate',
      { purpose: 'tool-manifest', compromised: true },
      admin(app.adminKey),
    );
    assert.deepEqual([bad.status, bad.body.code, bad.body.field], [400, 'VALIDATION_FAILED', 'body.compromised']);
    assert.deepEqual(await manifestKeys(), before, 'nothing rotated');
  } finally {
    await app.app.close();
  }
});
