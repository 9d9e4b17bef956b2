import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';

test('registry configuration: authority by default; consumer needs the root key; SINT_* aliases', () => {
  const d = loadConfig({}, '/srv').registry;
  assert.deepEqual(d, {
    rootKeyFile: undefined,
    validitySeconds: 604_800,
    trustUrl: undefined,
    trustRootKey: undefined,
    trustTtlSeconds: 3600,
    trustMaxLifetimeSeconds: undefined,
  });
  assert.equal(
    loadConfig({ VOUCH_REGISTRY_ROOT_KEY_FILE: 'root.json' }, '/srv').registry.rootKeyFile,
    '/srv/root.json',
  );
  assert.throws(() => loadConfig({ VOUCH_TRUST_REGISTRY_URL: 'https://r.example/a.json' }), /ROOT_KEY is required/);
  const alias = loadConfig(
    {
      SINT_TRUST_REGISTRY_URL: 'https://r.example/a.json',
      SINT_TRUST_REGISTRY_TTL: '60',
      VOUCH_TRUST_REGISTRY_ROOT_KEY: 'ed25519:x',
    },
    '/srv',
  ).registry;
  assert.equal(alias.trustUrl, 'https://r.example/a.json');
  assert.equal(alias.trustTtlSeconds, 60);
  const file = loadConfig(
    { VOUCH_TRUST_REGISTRY_URL: 'reg/agent-trust.json', VOUCH_TRUST_REGISTRY_ROOT_KEY: 'k' },
    '/srv',
  );
  assert.equal(file.registry.trustUrl, '/srv/reg/agent-trust.json');
  assert.throws(
    () => loadConfig({ VOUCH_TRUST_REGISTRY_URL: 'ftp://x/y', VOUCH_TRUST_REGISTRY_ROOT_KEY: 'k' }),
    /http\(s\) URL or a file path/,
  );
  assert.throws(() => loadConfig({ VOUCH_REGISTRY_VALIDITY: '10' }), /VOUCH_REGISTRY_VALIDITY/);
});
