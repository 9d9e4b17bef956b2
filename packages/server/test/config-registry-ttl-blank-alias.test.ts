// A setting set to blanks is unset (config-number-whitespace.test.ts), and VOUCH_TRUST_REGISTRY_URL set to blanks
// gives way to its alias SINT_TRUST_REGISTRY_URL. VOUCH_TRUST_REGISTRY_TTL set to blanks did not: it was chosen over
// SINT_TRUST_REGISTRY_TTL, then read as unset, so the alias was ignored and the refresh ran at the 3600 s default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.ts';

const consumer = { VOUCH_TRUST_REGISTRY_URL: 'https://r.example/a.json', VOUCH_TRUST_REGISTRY_ROOT_KEY: 'ed25519:x' };

test('VOUCH_TRUST_REGISTRY_TTL set to blanks gives way to SINT_TRUST_REGISTRY_TTL, as the URL does', () => {
  for (const blank of [' ', '\n', ' \t ']) {
    const env = { ...consumer, VOUCH_TRUST_REGISTRY_TTL: blank, SINT_TRUST_REGISTRY_TTL: '60' };
    assert.equal(loadConfig(env).registry.trustTtlSeconds, 60, JSON.stringify(blank));
  }
  // A value of its own still wins over the alias; neither set is the default.
  const both = { ...consumer, VOUCH_TRUST_REGISTRY_TTL: ' 120 ', SINT_TRUST_REGISTRY_TTL: '60' };
  assert.equal(loadConfig(both).registry.trustTtlSeconds, 120);
  assert.equal(loadConfig({ ...consumer, VOUCH_TRUST_REGISTRY_TTL: ' ' }).registry.trustTtlSeconds, 3600);
});
