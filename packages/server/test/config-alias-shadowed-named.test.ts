// SINT_TRUST_REGISTRY_URL and SINT_TRUST_REGISTRY_TTL are the seed's names for VOUCH_TRUST_REGISTRY_URL and _TTL. An
// alias set beside its VOUCH_ name with another value was ignored without a word (the VOUCH_ name is read), and
// SINT_TRUST_REGISTRY_TTL without any registry URL was not named as a consumer setting unused in authority mode, as
// VOUCH_TRUST_REGISTRY_TTL is. Both are now among the settings the start names as not read (names only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.ts';

const ROOT_KEY = 'ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

test('an alias its VOUCH_ name shadows, or the consumer TTL alias in authority mode, is named as not read', () => {
  const both = loadConfig({
    VOUCH_TRUST_REGISTRY_URL: 'https://a.example/registry.json',
    SINT_TRUST_REGISTRY_URL: 'https://b.example/registry.json',
    VOUCH_TRUST_REGISTRY_ROOT_KEY: ROOT_KEY,
    VOUCH_TRUST_REGISTRY_TTL: '60',
    SINT_TRUST_REGISTRY_TTL: '120',
  });
  assert.equal(both.registry.trustUrl, 'https://a.example/registry.json');
  assert.equal(both.registry.trustTtlSeconds, 60);
  assert.deepEqual(both.unusedVariables, ['SINT_TRUST_REGISTRY_TTL', 'SINT_TRUST_REGISTRY_URL']);
  const authority = loadConfig({ SINT_TRUST_REGISTRY_TTL: '60' });
  assert.equal(authority.registry.trustUrl, undefined);
  assert.deepEqual(authority.unusedVariables, ['SINT_TRUST_REGISTRY_TTL']);
  // The alias alone, in consumer mode, is read and not named.
  const alias = loadConfig({
    SINT_TRUST_REGISTRY_URL: 'https://b.example/registry.json',
    VOUCH_TRUST_REGISTRY_ROOT_KEY: ROOT_KEY,
    SINT_TRUST_REGISTRY_TTL: ' 120 ',
  });
  assert.equal(alias.registry.trustTtlSeconds, 120);
  assert.deepEqual(alias.unusedVariables, []);
});
