// VOUCH_TRUST_REGISTRY_MAX_LIFETIME: a consumer that knows how long its registry is signed for refuses a document valid
// for longer (REGISTRY_LIFETIME_EXCEEDED), fetched or stored, so an old document signed for years cannot be fed to it.
// Unset (the default), any lifetime is accepted, as before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateKeyPair, signRegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { admin, consumerEnv, post, registrySource, signedGenesis } from './fixtures.ts';

const DAY = 86_400;

eachEngine(
  'consumer: a document valid for longer than VOUCH_TRUST_REGISTRY_MAX_LIFETIME is refused',
  async ({ open }) => {
    const root = await generateKeyPair('Ed25519');
    const { doc: long, state } = await signedGenesis(root, ['alpha', 'bravo', 'charlie'], {
      validitySeconds: 3650 * DAY,
    });
    const src = await registrySource(long);
    const storage = await open();
    const env = consumerEnv(src.url, root);
    const clock = new ManualClock(T0 + 1000);
    try {
      // Unset: the ten-year document is taken, as before, and stored.
      const open1 = await makeApp(storage, { clock, env });
      assert.equal((await open1.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' })).statusCode, 200);
      await open1.app.close();

      // With a bound of 8 days: the stored document is not taken at start, the fetched one is refused.
      const bounded = await makeApp(storage, {
        clock,
        env: { ...env, VOUCH_TRUST_REGISTRY_MAX_LIFETIME: String(8 * DAY) },
      });
      try {
        const before = await tableCounts(storage);
        assert.equal(
          (await bounded.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' })).statusCode,
          503,
        );
        const refused = (await post(bounded.app, '/v1/registry/refresh', {}, admin(bounded.adminKey))).body;
        assert.equal(refused.accepted, false);
        assert.equal(refused.outcome, 'REGISTRY_LIFETIME_EXCEEDED');
        // Nothing stored but the audit entry of the admin's refresh, which records the refusal.
        assert.deepEqual(await tableCounts(storage), { ...before, audit_log: before.audit_log! + 1 });

        // The same state signed for 7 days is within the bound.
        const week = await signRegistryDocument(state, {
          rootKey: root.privateKey,
          now: T0 + 500,
          validitySeconds: 7 * DAY,
        });
        src.set(week);
        const taken = (await post(bounded.app, '/v1/registry/refresh', {}, admin(bounded.adminKey))).body;
        assert.equal(taken.accepted, true, JSON.stringify(taken));
        const served = await bounded.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' });
        assert.equal(JSON.parse(served.payload).expiresAt, week.expiresAt);
      } finally {
        await bounded.app.close();
      }
    } finally {
      src.server.close();
    }
  },
);

test('VOUCH_TRUST_REGISTRY_MAX_LIFETIME: off by default, whole seconds from 120, 0 or off to turn it off', () => {
  const consumer = { VOUCH_TRUST_REGISTRY_URL: 'https://r.example/a.json', VOUCH_TRUST_REGISTRY_ROOT_KEY: 'k' };
  assert.equal(loadConfig(consumer).registry.trustMaxLifetimeSeconds, undefined);
  const set = (v: string) => loadConfig({ ...consumer, VOUCH_TRUST_REGISTRY_MAX_LIFETIME: v }).registry;
  assert.equal(set('691200').trustMaxLifetimeSeconds, 691_200);
  assert.equal(set('0').trustMaxLifetimeSeconds, undefined);
  assert.equal(set('off').trustMaxLifetimeSeconds, undefined);
  assert.throws(() => set('7d'), /VOUCH_TRUST_REGISTRY_MAX_LIFETIME must be a whole number/);
  assert.throws(() => set('60'), /VOUCH_TRUST_REGISTRY_MAX_LIFETIME must be between 120/);
});
